"""Pledge form: one st.form, a priced summary with the area preview, then one confirmation that saves it."""

import dataclasses
import uuid
from functools import partial

import streamlit as st

from models import Role
from services import pledges
from services.platform import fmt
from services.platform.dates import add_months
from ui import company, state

DRAFT, NONCE, DONE = "pledge_draft", "pledge_nonce", "pledge_done"
QUOTE = "pledge_quote"  # the price shown for the draft, computed once when it was checked (not on every rerun)

actor = state.require(Role.COMPANY)
st.title("Buat ikrar perlindungan")
ctx = state.load(pledges.form_context, actor=actor, company_id=actor.company_id or 0)

done = st.session_state.get(DONE)
if done:
    match = done["match"]
    st.success(
        f"Ikrar #{done['pledge_id']} tersimpan. {match['assigned']} dari {match['requested']} pekerja dicocokkan."
    )
    if match["shortfall"]:  # a filled pledge's explanation would repeat the count above
        st.warning(f"**Kurang {match['shortfall']} pekerja.** {match['explanation']}")
    company.link("pages/company/pledges.py", "Lihat pekerja yang dicocokkan di Ikrar saya", icon=":material/list_alt:")
    if st.button("Buat ikrar lain"):
        st.session_state.pop(DONE, None)
        st.rerun()
    st.stop()

st.caption(
    f"Menanggapi {ctx.letter_number}. Iuran per pekerja per bulan: JKK + JKM {fmt.rupiah(ctx.premium_jkk_jkm)}; "
    f"dengan JHT {fmt.rupiah(ctx.premium_jkk_jkm + ctx.premium_jht)}. Biaya = pekerja × bulan × iuran."
)
kel_labels = {
    r.kelurahan_code: f"{r.kelurahan_name} (Kec. {r.kecamatan_name})" for r in ctx.kelurahan.itertuples(index=False)
}
starts = [add_months(ctx.earliest_start, i) for i in range(pledges.MAX_START_AHEAD_MONTHS + 1)]
# Numbers are typed as text and read by the service: a bad value gets an Indonesian message under its field
# (st.number_input's min/max answered with an English tooltip and a silent button, and rounded "12.5" to 12).
with st.form("ikrar"):
    workers = st.text_input(
        "Jumlah pekerja",
        value=str(ctx.suggested_min_workers),
        help=f"Surat edaran mengimbau minimal {ctx.suggested_min_workers} pekerja; jumlah lebih kecil tetap boleh.",
    )
    slots = {"workers": st.empty()}
    c1, c2 = st.columns(2)
    months = c1.selectbox(
        "Lama perlindungan",
        options=list(range(1, pledges.MAX_MONTHS + 1)),
        index=11,
        format_func=company.months_label,
        help="Umumnya 1, 3, 6 atau 12 bulan; paling lama 24 bulan.",
    )
    start = c2.selectbox("Bulan mulai", options=starts, index=1, format_func=fmt.month)
    slots["months"], slots["start_month"] = c1.empty(), c2.empty()
    st.checkbox("JKK (kecelakaan kerja) + JKM (kematian) — selalu termasuk", value=True, disabled=True)
    jht = st.checkbox(f"Tambah JHT (jaminan hari tua), +{fmt.rupiah(ctx.premium_jht)} per pekerja per bulan")
    st.markdown("**Area pekerja yang dilindungi**")
    radius = st.text_input(
        "Radius di sekitar lokasi perusahaan (km)",
        value="3",
        help=f"Sampai {fmt.decimal(pledges.MAX_RADIUS_KM)} km, misalnya 2,5. Kosongkan atau isi 0 bila hanya memakai "
        "kelurahan pilihan.",
    )
    slots["radius_km"] = st.empty()
    kel_codes = company.pick_many(
        st,
        "Dan/atau kelurahan pilihan",
        options=list(kel_labels),
        format_func=partial(company.label_from, labels=kel_labels),
    )
    slots["kelurahan_codes"] = st.empty()
    occupations = company.pick_many(st, "Preferensi pekerjaan (opsional)", options=ctx.occupations)
    slots["occupations"] = st.empty()
    if st.form_submit_button("Hitung biaya dan periksa area", type="primary"):
        st.session_state.pop(DRAFT, None)
        st.session_state.pop(QUOTE, None)
        try:
            count, km = pledges.read_form_numbers(workers, radius, tuple(kel_codes))
            draft = pledges.PledgeDraft(
                workers=count,
                months=int(months),
                start_month=start,
                include_jht=jht,
                radius_km=km,
                kelurahan_codes=tuple(kel_codes),
                occupations=tuple(occupations),
            )
            with state.db(write=False) as s:  # the service checks every value (ranges, area, site) first
                priced = pledges.quote(session=s, actor=actor, company_id=ctx.company_id, draft=draft)
        except pledges.DraftError as exc:
            for field, message in exc.fields.items():
                slots.get(field, slots["workers"]).error(message, icon=":material/error:")
            st.error("Periksa isian yang ditandai di atas.")
        else:
            st.session_state[DRAFT] = dataclasses.asdict(draft)
            st.session_state[QUOTE] = priced  # shown below; the pledge itself is priced again when it is saved
            st.session_state[NONCE] = uuid.uuid4().hex  # one confirmation of this draft creates one pledge

raw = st.session_state.get(DRAFT)
if not raw:
    st.stop()
draft = pledges.PledgeDraft(
    **{**raw, "kelurahan_codes": tuple(raw["kelurahan_codes"]), "occupations": tuple(raw["occupations"])}
)
q = st.session_state.get(QUOTE) or state.load(pledges.quote, actor=actor, company_id=ctx.company_id, draft=draft)

st.subheader("Ringkasan ikrar")
m1, m2, m3 = st.columns(3)
m1.metric("Biaya per bulan", fmt.rupiah(q.per_month))
m2.metric("Total biaya", fmt.rupiah(q.total), help=f"{draft.workers} pekerja × {draft.months} bulan × iuran")
m3.metric("Pekerja rentan belum terlindungi di area", fmt.number(q.eligible_in_area))
st.markdown(
    f"{fmt.number(draft.workers)} pekerja × {draft.months} bulan × {fmt.rupiah(q.premium_per_worker_month)} · "
    f"perlindungan {fmt.month(draft.start_month)} s.d. {fmt.long_date(q.cover_end)}"
)
for note in q.notes:
    st.info(note)
company.area_map(
    ctx.site_lat, ctx.site_lon, draft.radius_km, ctx.kelurahan[ctx.kelurahan.kelurahan_code.isin(draft.kelurahan_codes)]
)

if st.button("Kirim ikrar", type="primary"):
    outcome = state.act(  # a write unit, run again whole if the database was busy; the nonce makes it one pledge
        pledges.create_pledge,
        actor=actor,
        company_id=ctx.company_id,
        draft=draft,
        submission_key=st.session_state.get(NONCE),
    )
    if outcome is None:  # refused or still busy: the message is shown, the draft stays for another try
        st.stop()
    st.session_state[DONE] = dataclasses.asdict(outcome)
    st.session_state.pop(DRAFT, None)
    st.session_state.pop(QUOTE, None)
    st.session_state.pop(NONCE, None)  # the cached board and figures follow by the data version the commit bumped
    st.rerun()
