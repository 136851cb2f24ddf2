"""My pledges: status timeline, raise / renew / cancel, and the masked list of matched workers to download."""

import uuid
import zlib
from functools import partial

import streamlit as st

from models import OPEN_PLEDGE_STATUSES, Role
from services import coverage, pledges
from services.platform import exports, fmt
from ui import company, downloads, state, widgets
from ui.tables import indonesian_styler

PICK, RENEW_NONCE = "pledge_pick", "renew_nonce"

actor = state.require(Role.COMPANY)
st.title("Ikrar saya")
items = state.load(pledges.list_pledges, actor=actor, company_id=actor.company_id or 0)
if not items:
    st.info("Perusahaan Anda belum membuat ikrar.")
    company.link("pages/company/pledge.py", "Buat ikrar perlindungan sekarang", icon=":material/edit_note:")
    st.stop()

by_id = {p.pledge_id: p for p in items}
labels = {
    i: f"Ikrar #{i} · {fmt.number(x.workers)} pekerja · {fmt.month(x.start_month)} · {x.status_label}"
    for i, x in by_id.items()
}
# The choice lives in our own key (a renewal may set it after the selector is drawn); the widget's key carries the
# labels, so after a raise, cancel or renewal the selector is drawn anew with what is true now.
chosen = st.session_state.get(PICK)
if chosen is not None and chosen not in by_id:
    st.session_state.pop(PICK, None)
    if isinstance(chosen, int):  # not one of ours: the service refuses it and audits the try
        state.act(pledges.pledge_workers, actor=actor, pledge_id=chosen)
pledge_id = st.selectbox(
    "Pilih ikrar",
    options=list(by_id),
    index=list(by_id).index(chosen) if chosen in by_id else 0,
    key=f"{PICK}_{zlib.crc32(repr(sorted(labels.items())).encode())}",
    format_func=partial(company.label_from, labels=labels),
)
st.session_state[PICK] = pledge_id
# Read again through the services: the id in session state is never trusted.
p = state.load(pledges.get_pledge, actor=actor, pledge_id=pledge_id)
workers = state.load(pledges.pledge_workers, actor=actor, pledge_id=pledge_id)

company.timeline(p.timeline)
if p.shown_status == pledges.WAITING:  # a renewal, or a first pledge whose cards came before its first month
    st.info(
        f"Menunggu mulai: perlindungan ikrar ini berjalan mulai {fmt.month(p.start_month)}. "
        + (
            f"Sampai saat itu kartu pekerja Anda berjalan atas ikrar #{p.renewed_from_id}; kartu ikrar ini dihitung "
            "sejak bulan pertamanya."
            if p.renewed_from_id
            else "Kartu peserta sudah terbit; pekerja terlindungi sejak bulan pertamanya."
        )
    )
if p.reminder_days is not None and p.days_left is not None:
    text = (
        f"Pengingat {p.reminder_days} hari: perlindungan berakhir {fmt.long_date(p.cover_end)} "
        f"({p.days_left} hari lagi)."
    )
    (st.error if p.reminder_days == 7 else st.warning)(text + (" Perpanjang di bawah." if p.can_renew else ""))
c1, c2, c3, c4 = st.columns(4)
for column, key, value in ((c1, "pledge.workers", p.workers), (c2, "pledge.assigned", p.assigned),
                           (c3, "pledge.protected_now", p.active)):  # fmt: skip
    widgets.metric(column, key, value)
if p.status == "cancelled":  # nothing is owed for a cancelled pledge: say so rather than show its old price
    c4.metric("Total biaya", fmt.rupiah(0), help=f"Dibatalkan; sebelumnya {fmt.rupiah(p.total)}, tidak ditagih.")
else:
    c4.metric("Total biaya", fmt.rupiah(p.total), help=f"{fmt.rupiah(p.per_month)} per bulan")
if p.status in OPEN_PLEDGE_STATUSES and p.assigned < p.workers:  # empty places: why, and what would fill them
    why = company.shortfall(actor, p.pledge_id)  # the city's Pencocokan text, once per data version
    if why is not None:
        st.info(f"**{fmt.number(p.workers - p.assigned)} tempat masih kosong.** {why.message}")
area = ([f"radius {fmt.decimal(p.radius_km)} km"] if p.radius_km else []) + (
    [f"{len(p.kelurahan_codes)} kelurahan pilihan"] if p.kelurahan_codes else []
)
st.caption(
    f"Perlindungan {fmt.month(p.start_month)} s.d. {fmt.long_date(p.cover_end)} · {p.months} bulan · "
    f"{'JKK + JKM + JHT' if p.include_jht else 'JKK + JKM'} · area: {', '.join(area) or '-'}"
    + (f" · pekerjaan: {', '.join(p.occupations)}" if p.occupations else "")
    + (f" · perpanjangan dari ikrar #{p.renewed_from_id}" if p.renewed_from_id else "")
    + (f" · diperpanjang oleh ikrar #{p.renewal_id}" if p.renewal_id else "")
)


def _done(message: str) -> None:
    st.session_state["pledge_flash"] = message  # the cached figures follow by the data version the commit bumped
    st.rerun()


flash = st.session_state.pop("pledge_flash", None)
if flash:
    st.success(flash)

if p.can_raise:
    with st.expander("Tambah jumlah pekerja"), st.form("raise"):
        new_total = st.text_input("Jumlah pekerja baru", value=str(p.workers + 10))
        raise_slot = st.empty()
        st.caption("Pencocokan langsung mengisi tambahan dari pekerja yang belum terlindungi di area Anda.")
        if st.form_submit_button("Tambah"):
            out = company.act_with_workers(
                raise_slot,
                pledges.raise_pledge,
                new_total,
                actor=actor,
                pledge_id=p.pledge_id,
                expected_workers=p.workers,
            )
            if out is not None:
                _done(
                    company.match_message(
                        f"Ikrar ditambah menjadi {fmt.number(out.match.requested)} pekerja", out.match
                    )
                )
if p.can_renew:
    with st.expander("Perpanjang perlindungan", expanded=p.reminder_days is not None), st.form("renew"):
        st.caption("Pekerja yang sama tetap terlindungi tanpa jeda; kartu peserta tetap berlaku.")
        renew_months = st.selectbox(
            "Lama perpanjangan", options=list(range(1, 25)), index=11, format_func=company.months_label
        )
        renew_workers = st.text_input("Jumlah pekerja", value=str(p.workers))
        renew_slot = st.empty()
        if st.form_submit_button("Perpanjang", type="primary"):
            key = st.session_state.setdefault(RENEW_NONCE, uuid.uuid4().hex)
            renewed = company.act_with_workers(
                renew_slot,
                pledges.renew_pledge,
                renew_workers,
                minimum=p.workers,
                actor=actor,
                pledge_id=p.pledge_id,
                months=int(renew_months),
                submission_key=key,
            )
            if renewed is not None:
                st.session_state.pop(RENEW_NONCE, None)
                st.session_state[PICK] = renewed.pledge_id
                _done(f"Ikrar diperpanjang (ikrar #{renewed.pledge_id}): {renewed.match.assigned} pekerja terlindungi.")
elif p.status == "active":
    st.caption(f"Perpanjangan dapat diajukan mulai {fmt.long_date(p.renewal_opens)}.")
if p.can_cancel:
    with st.expander("Batalkan ikrar"), st.form("cancel"):
        st.caption("Hanya bisa sebelum pekerja didaftarkan ke BPJS. Pekerja yang dicocokkan kembali ke daftar tunggu.")
        sure = st.checkbox("Saya yakin ingin membatalkan ikrar ini")
        if st.form_submit_button("Batalkan ikrar"):
            if not sure:
                st.error("Centang kotak konfirmasi dulu bila Anda yakin ingin membatalkan.")
            else:
                released = state.act(pledges.cancel_pledge, actor=actor, pledge_id=p.pledge_id)
                if released is not None:
                    _done(f"Ikrar dibatalkan; {released} pekerja dilepas kembali.")

st.subheader("Pekerja yang dicocokkan")
if workers.empty:
    st.info("Belum ada pekerja yang dicocokkan untuk ikrar ini.")
    st.stop()
f1, f2, f3 = st.columns(3)
status_pick = company.pick_many(f1, "Status", sorted(workers["Status"].unique()))
kec_pick = company.pick_many(f2, "Kecamatan", sorted(workers["Kecamatan"].unique()))
name_q = f3.text_input("Cari nama atau kelurahan")
shown = company.filter_workers(workers, statuses=status_pick, kecamatan=kec_pick, query=name_q)
st.caption(
    f"{fmt.number(len(shown))} dari {fmt.number(len(workers))} pekerja. NIK disamarkan (4 digit awal dan akhir)."
)
st.dataframe(  # only masked columns come from the service; distances 4,8 whatever the browser's language
    indonesian_styler(shown, {c: c for c in shown.columns}, km=("Jarak (km)",)),
    hide_index=True,
    width="stretch",
)


# The files are built on the click (not when the page renders) and audited then: see ui/downloads.py.
d1, d2 = st.columns(2)
downloads.audited_download(
    d1,
    "Unduh CSV",
    build=partial(exports.to_csv, shown),
    record=partial(pledges.record_download, actor=actor, pledge_id=p.pledge_id, kind="csv", rows=len(shown)),
    file_name=f"ikrar-{p.pledge_id}-pekerja.csv",
    mime="text/csv",
)
downloads.audited_download(
    d2,
    "Unduh Excel",
    build=partial(exports.to_xlsx, shown, title=f"Ikrar #{p.pledge_id} — daftar pekerja untuk penyerahan kartu"),
    record=partial(pledges.record_download, actor=actor, pledge_id=p.pledge_id, kind="xlsx", rows=len(shown)),
    file_name=f"ikrar-{p.pledge_id}-pekerja.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)

# Cover of this company's workers ending within 60 days (the city sees the same list for every company).
ending = state.load(coverage.expiring_by_company, actor=actor, company_id=actor.company_id or 0)
if not ending.empty:
    st.subheader("Perlindungan yang segera berakhir")
    headers = {"pledge_id": "Ikrar", "coverage_end": "Berakhir", "workers": "Pekerja", "level": "Pengingat"}
    st.dataframe(indonesian_styler(ending, headers, ids=("pledge_id",)), hide_index=True)
