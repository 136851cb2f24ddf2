"""AppTest of the registry and BPJS-loop pages (admin; the expiring list also for the viewer and the company)."""

from collections.abc import Callable

from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from models import AuditLog, Worker
from services.platform.authz import Actor
from services.platform.db import make_engine
from tests.ui.conftest import ROOT, all_text
from ui import state


def _a_nik(url: str) -> tuple[str, str]:
    with Session(make_engine(url)) as s:
        w = s.exec(select(Worker).order_by(Worker.id)).first()
        assert w is not None
        return w.nik, w.name


def test_registry_search_by_nik_finds_one(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str
) -> None:
    at = page("city/registry.py", actor_for("admin"))
    assert not at.exception
    assert "Belum terlindungi" in all_text(at) and "pekerja ditemukan" in all_text(at)
    nik, _ = _a_nik(demo_db_url)
    at.text_input[0].input(nik)
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    assert "**1 pekerja ditemukan**" in all_text(at)
    assert list(at.dataframe[0].value["NIK"]) == [nik]


def test_registry_refuses_a_one_letter_search(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/registry.py", actor_for("admin"))
    at.text_input[0].input("a")
    at.button[0].click().run()
    assert at.error and "minimal 2 huruf" in at.error[0].value


def test_worker_page_shows_and_audits_and_refuses_a_bad_correction(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str
) -> None:
    nik, name = _a_nik(demo_db_url)
    at = AppTest.from_file(str(ROOT / "pages" / "city" / "worker.py"), default_timeout=30)
    at.session_state[state.ACTOR_KEY] = actor_for("admin")
    at.session_state[state.VERSION_KEY] = 0
    at.session_state["registry_worker_nik"] = nik
    at.run()
    assert not at.exception
    assert at.subheader[0].value == name
    assert "Riwayat pemrosesan data" in all_text(at)
    with Session(make_engine(demo_db_url)) as s:
        views = s.exec(select(AuditLog).where(AuditLog.action == "worker.view")).all()
    assert views  # opening the page is audited
    desil = next(t for t in at.text_input if t.label.startswith("Desil"))
    desil.input("11")
    next(b for b in at.button if b.label == "Simpan koreksi").click().run()
    assert at.error and "Desil" in at.error[0].value


def test_worker_page_unknown_nik(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/worker.py", actor_for("admin"))
    assert at.info
    at.text_input[0].input("3671010101900009").run()
    assert at.error and "tidak ada di registri" in at.error[0].value


def test_import_page_renders_for_admin_and_is_refused_to_viewer(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/import_workers.py", actor_for("admin"))
    assert not at.exception and "Simpan kolom NIK sebagai Teks" in all_text(at)
    viewer = page("city/import_workers.py", actor_for("walikota"))
    assert viewer.error and not viewer.button


def test_bpjs_page_previews_a_pledge_file(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/bpjs.py", actor_for("admin"))
    assert not at.exception
    assert "pekerja** dari" in all_text(at)
    at.radio[0].set_value("Per cabang BPJS dan periode").run()
    assert not at.exception and "pekerja** dari" in all_text(at)


def test_expiring_page_for_viewer_and_admin_refresh(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    viewer = page("city/expiring.py", actor_for("walikota"))
    assert not viewer.exception and "Per perusahaan" in all_text(viewer) and not viewer.button
    admin = page("city/expiring.py", actor_for("admin"))
    admin.button[0].click().run()
    assert not admin.exception and "kepesertaan dan" in all_text(admin)


def test_company_sees_its_expiring_cover(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("company/pledges.py", actor_for("panarub"))
    assert not at.exception
    assert "Perlindungan yang segera berakhir" in all_text(at)
    ending = at.dataframe[-1].value
    assert list(ending.columns) == ["Ikrar", "Berakhir", "Pekerja", "Pengingat"] and ending["Pekerja"].sum() > 0
