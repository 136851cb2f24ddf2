"""Reading the audit log (admins only); reading it is itself audited. Its codes in readable Indonesian, in WIB."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlmodel import Session, col, func, select

from models import AuditLog, Role
from services.platform import fmt
from services.platform.audit import record
from services.platform.authz import Actor, require_role
from services.platform.exports import to_xlsx


def recent(*, session: Session, actor: Actor, limit: int = 500, action_prefix: str = "") -> pd.DataFrame:
    """The newest audit rows (admins only). Reading the log is itself recorded."""
    require_role(actor, Role.ADMIN, session=session, action="audit.view")
    stmt = select(AuditLog).order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc()).limit(limit)
    if action_prefix:
        stmt = stmt.where(col(AuditLog.action).startswith(action_prefix))
    rows = session.exec(stmt).all()
    record(session=session, actor=actor, action="audit.view", entity="auditlog", rows=len(rows))
    session.commit()
    return pd.DataFrame(
        [(r.at, r.username, r.action, r.entity, r.entity_id, r.success, r.detail) for r in rows],
        columns=["at", "username", "action", "entity", "entity_id", "success", "detail"],
    )


# ---------------------------------------------------------------------------------------------------------------
# The viewer's search: filters by person, action, entity and time range, one page at a time (paginated in SQL).

AUDIT_COLUMNS = ["at", "username", "action", "entity", "entity_id", "success", "detail"]


@dataclass(frozen=True)
class AuditQuery:
    username: str = ""  # exact username ("sistem" for the batch/demo user)
    action_prefix: str = ""  # "auth." or a full action name
    entity: str = ""
    since: dt.datetime | None = None  # inclusive, aware
    until: dt.datetime | None = None  # exclusive, aware


def _filtered(stmt: Any, query: AuditQuery) -> Any:
    if query.username:
        stmt = stmt.where(AuditLog.username == query.username)
    if query.action_prefix:
        stmt = stmt.where(col(AuditLog.action).startswith(query.action_prefix))
    if query.entity:
        stmt = stmt.where(AuditLog.entity == query.entity)
    if query.since is not None:
        stmt = stmt.where(col(AuditLog.at) >= query.since)
    if query.until is not None:
        stmt = stmt.where(col(AuditLog.at) < query.until)
    return stmt


def search(
    *, session: Session, actor: Actor, query: AuditQuery, page: int = 1, page_size: int = 100
) -> tuple[pd.DataFrame, int]:
    """(one page of matching rows, newest first; the number of matching rows). Reading is itself recorded."""
    require_role(actor, Role.ADMIN, session=session, action="audit.view")
    page_size = max(1, min(page_size, 1000))
    total = int(session.exec(_filtered(select(func.count()).select_from(AuditLog), query)).one())
    offset = max(0, page - 1) * page_size
    rows = session.exec(
        _filtered(select(AuditLog), query)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .offset(offset)
        .limit(page_size)
    ).all()
    record(session=session, actor=actor, action="audit.view", entity="auditlog", rows=len(rows), page=page)
    session.commit()
    frame = pd.DataFrame(
        [(r.at, r.username, r.action, r.entity, r.entity_id, r.success, r.detail) for r in rows], columns=AUDIT_COLUMNS
    )
    return frame, total


def filter_options(*, session: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """The usernames and entities that occur in the log, for the filter pickers."""
    require_role(actor, Role.ADMIN, session=session, action="audit.view")
    users = session.exec(select(AuditLog.username).distinct().order_by(AuditLog.username)).all()
    entities = session.exec(
        select(AuditLog.entity).where(AuditLog.entity != "").distinct().order_by(AuditLog.entity)
    ).all()
    return list(users), list(entities)


EXPORT_MAX_ROWS = 50_000


def export_xlsx(*, session: Session, actor: Actor, query: AuditQuery) -> bytes:
    """The matching rows (up to 50,000, newest first) as Excel. The export itself is audited."""
    require_role(actor, Role.ADMIN, session=session, action="audit.export")
    rows = session.exec(
        _filtered(select(AuditLog), query)
        .order_by(col(AuditLog.at).desc(), col(AuditLog.id).desc())
        .limit(EXPORT_MAX_ROWS)
    ).all()
    record(
        session=session,
        actor=actor,
        action="audit.export",
        entity="auditlog",
        rows=len(rows),
        username_filter=query.username or None,
        action_filter=query.action_prefix or None,
        entity_filter=query.entity or None,
    )
    session.commit()
    raw = pd.DataFrame(
        [(r.at, r.username, r.action, r.entity, r.entity_id, r.success, r.detail) for r in rows],
        columns=AUDIT_COLUMNS,
    )
    # The same Indonesian labels and WIB times as the screen (`readable`); Excel keeps no time zone, so the
    # times are written as WIB wall-clock times and the header says so.
    frame = readable(raw)
    frame["Waktu (WIB)"] = frame["Waktu (WIB)"].dt.tz_localize(None)
    frame["Berhasil"] = frame["Berhasil"].map({True: "Ya", False: "Tidak"})
    frame["Rincian"] = frame["Rincian"].replace("", "–")
    return to_xlsx(frame, sheet_title="Log audit", title="Log audit Payung")


WIB = "Asia/Jakarta"  # the city works in WIB (UTC+7); the log is stored in UTC
# Readable Indonesian for the log: one table, reused by every view of the log (a code without a label is shown
# as it is, so a new action is never hidden — add its label here).
ACTION_LABELS: dict[object, str] = {
    "access.denied": "Akses ditolak",
    "audit.export": "Mengekspor log audit",
    "audit.view": "Membuka log audit",
    "allocation.commit": "Menjalankan alokasi APBD Kota (mengisi pekerja)",
    "allocation.create": "Mencatat alokasi APBD Kota",
    "allocation.list": "Membuka daftar alokasi APBD Kota",
    "allocation.preview": "Melihat pratinjau alokasi APBD Kota",
    "auth.failed": "Gagal masuk (kata sandi salah)",
    "auth.locked": "Akun dikunci sementara",
    "auth.login": "Masuk",
    "auth.logout": "Keluar",
    "chasing.export": "Mengunduh daftar telepon penerima yang belum menjawab",
    "company.home": "Membuka beranda perusahaan",
    "company.profile.update": "Mengubah profil perusahaan",
    "company.profile.view": "Membuka profil perusahaan",
    "letter.activate": "Menjadikan surat edaran aktif",
    "letter.attachment": "Mengunduh lampiran surat edaran",
    "letter.create": "Membuat surat edaran",
    "letter.decline": "Menyatakan belum dapat ikut serta",
    "letter.decline.withdraw": "Menarik pernyataan belum dapat ikut serta",
    "letter.sent": "Mencatat pengiriman surat edaran",
    "letter.update": "Mengubah surat edaran",
    "matching.explain": "Membaca penjelasan kekurangan pekerja",
    "matching.full": "Menjalankan pencocokan penuh",
    "matching.pledge": "Mencocokkan pekerja untuk satu ikrar",
    "outbox.view": "Membuka kotak keluar email",
    "password.change": "Mengganti kata sandi",
    "password.download": "Mengunduh daftar kata sandi sekali pakai",
    "pledge.cancel": "Membatalkan ikrar",
    "pledge.create": "Membuat ikrar",
    "pledge.fill": "Mengisi ikrar dengan pekerja",
    "pledge.form": "Membuka formulir ikrar",
    "pledge.list": "Membuka daftar ikrar",
    "pledge.quote": "Menghitung biaya ikrar",
    "pledge.raise": "Menambah jumlah pekerja ikrar",
    "pledge.renew": "Memperpanjang ikrar",
    "pledge.workers.export": "Mengunduh daftar pekerja",
    "pledge.workers.view": "Melihat daftar pekerja ikrar",
    "recipient.contact": "Mencatat pengingat/kontak penerima surat",
    "recipients.import": "Mengimpor penerima surat",
    "report.impact": "Membuka laporan dampak",
    "auth.blocked": "Masuk diblokir sementara (terlalu banyak percobaan)",
    "auth.throttled": "Masuk diperlambat (percobaan salah berulang)",
    "auth.unlock": "Membuka blokir masuk",
    "page.open": "Membuka halaman yang tidak diizinkan",
    "badges.view": "Membuka lencana perusahaan",
    "chasing.view": "Membuka daftar belum menjawab",
    "escalation.view": "Membuka daftar eskalasi",
    "coverage.expiring": "Membuka daftar perlindungan segera berakhir",
    "coverage.export": "Mengekspor berkas pendaftaran BPJS",
    "coverage.refresh": "Memperbarui status masa perlindungan",
    "coverage.result_import": "Mengimpor hasil pendaftaran BPJS",
    "coverage.closed": "Membuka daftar pendaftaran selesai cabang BPJS",
    "claim.import": "Mengimpor berkas klaim JKK/JKM",
    "claim.record": "Mencatat satu klaim JKK/JKM",
    "claim.list": "Membuka daftar klaim JKK/JKM",
    "report.benefits": "Membuka angka santunan JKK/JKM",
    "worker.claim": "Mencatat klaim JKK/JKM pekerja",
    "worker.bpjs_refused": "Pendaftaran pekerja ditolak BPJS",
    "insight.coverage": "Membuka peta cakupan",
    "insight.expiring": "Membuka perlindungan segera berakhir (dasbor)",
    "insight.forecast": "Membuka perkiraan capaian",
    "insight.funnel": "Membuka corong tanggapan",
    "insight.gaps": "Membuka celah cakupan",
    "insight.headline": "Membuka ringkasan kota",
    "insight.weekly": "Membuka perkembangan mingguan",
    "letter.answer.view": "Membuka tanggapan penerima",
    "letter.list": "Membuka daftar surat edaran",
    "recipient.contacts": "Membuka riwayat kontak penerima",
    "recipients.view": "Membuka daftar penerima",
    "registry.counts": "Membuka jumlah registri pekerja",
    "registry.search": "Mencari di registri pekerja",
    "reminder.send": "Mengirim pengingat",
    "report.quarterly": "Mengunduh laporan triwulan",
    "user.list": "Membuka daftar pengguna",
    "worker.activate": "Mengaktifkan perlindungan pekerja",
    "worker.covered": "Menandai pekerja dilindungi pihak lain",
    "worker.covered_import": "Mengimpor daftar dilindungi pihak lain",
    "worker.export": "Mengekspor data pekerja",
    "worker.history_export": "Mengekspor riwayat data pekerja",
    "worker.import": "Mengimpor registri pekerja",
    "worker.update": "Mengoreksi data pekerja",
    "worker.view": "Membuka data pekerja",
    "user.create": "Membuat akun pengguna kota",
    "user.deactivate": "Menonaktifkan akun",
    "user.reactivate": "Mengaktifkan kembali akun",
    "user.reset": "Membuat kata sandi sekali pakai baru",
    "user.role": "Mengganti peran pengguna",
    "password.failed": "Kata sandi saat ini salah (ganti sandi/konfirmasi)",
    "password.throttled": "Pemeriksaan kata sandi ditahan (terlalu banyak percobaan)",
    "download.fetched": "Mengambil berkas unduhan (sekali pakai)",
    "download.probe": "Pemeriksaan tautan unduhan oleh halaman (tanpa isi)",
    "download.refused": "Pengambilan berkas unduhan ditolak",
    "user.admin_grant": "Memberi peran Admin kota (dikonfirmasi)",
}
DETAIL_LABELS = {
    "assigned": "dicocokkan",
    "attempted": "mencoba",
    "carried_workers": "pekerja dilanjutkan",
    "columns": "kolom",
    "fields": "isian diubah",
    "format": "format",
    "include_jht": "termasuk JHT",
    "kelurahan": "kelurahan",
    "kept": "tetap",
    "months": "bulan",
    "moved": "dipindah",
    "occupations": "pekerjaan",
    "pledges": "ikrar",
    "radius_km": "radius (km)",
    "released": "dilepas",
    "released_workers": "pekerja dilepas",
    "remaining_before": "sisa percobaan",
    "renewed_from": "perpanjangan dari ikrar",
    "rows": "baris",
    "seconds": "detik",
    "start_month": "bulan mulai",
    "user_id": "pengguna",
    "via": "lewat",
    "workers": "pekerja",
    "workers_after": "pekerja sesudah",
    "workers_before": "pekerja sebelum",
}
VALUE_LABELS: dict[object, str] = {
    # profile fields, export kinds and login routes as users name them
    "site_lat": "lintang lokasi",
    "site_lon": "bujur lokasi",
    "sector": "sektor",
    "employees": "jumlah karyawan",
    "contact_name": "nama kontak",
    "contact_email": "email kontak",
    "contact_phone": "telepon kontak",
    "show_amount": "tampilkan nilai komitmen",
    "address": "alamat",
    "cookie": "sesi tersimpan (cookie)",
    "form": "formulir masuk",
    "csv": "CSV",
    "xlsx": "Excel",
    True: "ya",
    False: "tidak",
    **ACTION_LABELS,
}
ENTITY_LABELS = {"user": "pengguna", "pledge": "ikrar", "company": "perusahaan", "auditlog": "log audit"}
ENTITY_LABELS |= {"campaign": "surat edaran", "letterrecipient": "penerima surat", "outbox": "kotak keluar"}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def _value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    if isinstance(value, bool | str):
        return VALUE_LABELS.get(value, str(value))
    if isinstance(value, int | float):
        return fmt.number(value) if float(value).is_integer() else fmt.decimal(value, 2)
    return str(value)


def describe(detail: dict) -> str:
    """{'fields': ['employees'], 'rows': 1480} → 'isian diubah: jumlah karyawan; baris: 1.480'."""
    return "; ".join(f"{DETAIL_LABELS.get(k, k)}: {_value(v)}" for k, v in detail.items())


def readable(rows: pd.DataFrame) -> pd.DataFrame:
    """`recent()` as people read it: time in WIB (Asia/Jakarta, tz-aware, still sortable), action, object and
    details in Indonesian. The codes stay available in `recent()` for filters and exports."""
    at = pd.to_datetime(rows["at"], utc=True).dt.tz_convert(WIB)
    return pd.DataFrame(
        {
            "Waktu (WIB)": at,
            "Pengguna": rows["username"],
            "Kegiatan": rows["action"].map(action_label),
            "Objek": [
                f"{ENTITY_LABELS.get(e, e)} {i}".strip() for e, i in zip(rows["entity"], rows["entity_id"], strict=True)
            ],
            "Berhasil": rows["success"].astype(bool),
            "Rincian": rows["detail"].map(describe),
        }
    )
