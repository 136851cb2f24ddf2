"""Company home: the circular letter addressed to the company, where it stands, and the one next step."""

import streamlit as st

from models import Role
from services import insight
from services.campaign import companies
from services.platform import fmt
from services.platform.text import safe_filename
from ui import benefits as benefits_ui
from ui import campaign as campaign_ui
from ui import company, state, text

actor = state.require(Role.COMPANY)
home = state.load(companies.company_home, actor=actor, company_id=actor.company_id or 0)

st.title(text.md(home.company_name))  # a name is data, never Markdown
col1, col2 = st.columns([3, 1])
col1.metric("Status", home.standing)
col2.metric("Ikrar", fmt.number(home.pledges))
st.success(f"**Langkah berikutnya:** {home.next_step}")
if home.pledges == 0:
    company.link("pages/company/pledge.py", "Buat ikrar perlindungan (± 3 menit)", icon=":material/edit_note:")
else:
    company.link("pages/company/pledges.py", "Buka Ikrar saya", icon=":material/list_alt:")

benefits_ui.company_block(state.load(insight.company_benefits, actor=actor, company_id=home.company_id))

if home.letter_number:
    st.subheader("Surat edaran Wali Kota Tangerang")
    st.markdown(
        f"**{home.letter_number}** · {fmt.long_date(home.letter_date)}  \n"
        f"**Perihal:** {home.subject}  \n"
        f"**Batas tanggapan:** {fmt.long_date(home.response_deadline)}"
    )
    st.write(home.body)
    st.caption(
        f"Imbauan minimal {fmt.number(home.suggested_min_workers)} pekerja · iuran JKK + JKM "
        f"{fmt.rupiah(home.premium_jkk_jkm)} per pekerja per bulan."
    )
    if home.has_attachment:
        with state.db() as s:
            attachment = companies.letter_attachment(session=s, actor=actor, company_id=home.company_id)
        if attachment:
            st.download_button(
                "Unduh surat edaran (PDF)",
                attachment[1],
                file_name=safe_filename(attachment[0]),
                mime="application/pdf",
                icon=":material/attach_file:",
                on_click="ignore",
            )
    if home.responded_at:
        st.caption(f"Perusahaan Anda menjawab pada {fmt.date(home.responded_at)}.")
    campaign_ui.decline_block(actor, home.company_id)
else:
    st.info("Belum ada surat edaran untuk perusahaan Anda.")
