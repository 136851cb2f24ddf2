"""Company profile: site location (checked to lie in or near Tangerang), contact, sector, leaderboard choice."""

from collections.abc import Callable
from typing import Any

import streamlit as st

from models import Role
from services.campaign import companies
from services.platform import fmt
from services.platform.errors import PayungError, ValidationError
from ui import company, state, text


def _read(parse: Callable[[str], Any], text: str, message: str, problems: list[str]) -> Any:
    """An empty field is None; a value that is not a number is a problem, said in Indonesian (never rounded)."""
    if not text.strip():
        return None
    try:
        return parse(text)
    except ValueError:
        problems.append(message)
        return None


actor = state.require(Role.COMPANY)
st.title("Profil perusahaan")
prof = state.load(companies.company_profile, actor=actor, company_id=actor.company_id or 0)

flash = st.session_state.pop("profile_flash", None)
if flash:
    st.success(flash)
updated = f" · diperbarui {fmt.date(prof.updated_at)}" if prof.updated_at else ""
st.caption(f"{text.md(prof.name)} · {text.md(prof.address or '-')}{updated}")
if prof.site_approximate:
    st.warning(
        "Lokasi usaha masih **perkiraan**: titik di dalam kelurahan Anda dari daftar penerima surat. "
        "Isi lintang dan bujur pabrik/kantor Anda agar area ikrar tepat."
    )
with st.form("profil"):
    st.markdown("**Lokasi usaha** (titik pusat radius ikrar)")
    c1, c2 = st.columns(2)
    # Typed as text in Indonesian decimals (-6,173065); "-6.173065" pasted from a map is read too.
    lat_text = c1.text_input(
        "Lintang", value=fmt.decimal(prof.site_lat, 6), help="Kota Tangerang sekitar -6,18 (bernilai negatif)."
    )
    lon_text = c2.text_input("Bujur", value=fmt.decimal(prof.site_lon, 6), help="Kota Tangerang sekitar 106,63.")
    st.caption("Salin koordinat dari Google Maps (klik kanan pada lokasi pabrik → angka pertama lintang, kedua bujur).")
    sector = st.text_input("Sektor usaha", value=prof.sector, max_chars=80)
    employees_text = st.text_input("Jumlah karyawan", value=fmt.number(prof.employees) if prof.employees else "")
    st.markdown("**Kontak CSR/HR**")
    contact_name = st.text_input("Nama kontak", value=prof.contact_name, max_chars=120)
    c3, c4 = st.columns(2)
    email = c3.text_input("Email", value=prof.contact_email, max_chars=200)
    phone = c4.text_input("Telepon", value=prof.contact_phone, max_chars=30)
    show_amount = st.checkbox(
        "Tampilkan nilai Rupiah komitmen kami di papan peringkat publik",
        value=prof.show_amount,
        help="Bila tidak dicentang, papan peringkat hanya menampilkan jumlah pekerja.",
    )
    if st.form_submit_button("Simpan profil", type="primary"):
        problems: list[str] = []
        lat = _read(fmt.parse_decimal, lat_text, "Lintang harus berupa angka, misalnya -6,18.", problems)
        lon = _read(fmt.parse_decimal, lon_text, "Bujur harus berupa angka, misalnya 106,63.", problems)
        employees = _read(
            fmt.parse_whole, employees_text, "Jumlah karyawan harus bilangan bulat, misalnya 250.", problems
        )
        update = companies.ProfileUpdate(
            site_lat=lat,
            site_lon=lon,
            sector=sector,
            employees=employees,
            contact_name=contact_name,
            contact_email=email,
            contact_phone=phone,
            show_amount=show_amount,
        )
        try:
            if problems:
                raise ValidationError("Periksa isian berikut:\n\n" + "\n".join(f"- {m}" for m in problems))
            with state.db() as s:
                companies.update_profile(session=s, actor=actor, company_id=prof.company_id, update=update)
                site = (
                    companies.check_site(session=s, lat=lat, lon=lon) if lat is not None and lon is not None else None
                )
        except PayungError as exc:
            st.error(str(exc))
        else:
            where = f" Lokasi terdekat: Kel. {site.nearest_kelurahan}, Kec. {site.nearest_kecamatan}." if site else ""
            st.session_state["profile_flash"] = "Profil tersimpan." + where  # caches follow the data version
            st.rerun()

st.subheader("Peta lokasi")
company.area_map(prof.site_lat, prof.site_lon, None)
