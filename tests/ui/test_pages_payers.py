"""AppTest of the city allocation page: bad input refused in Indonesian and kept, record, preview, commit."""

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from services.platform.authz import Actor
from tests.ui.conftest import all_text


def _fill(at: AppTest, *, amount: str, perwal: str = "Perwal No. 113 Tahun 2023") -> AppTest:
    at.text_input[0].input(perwal)
    at.text_input[1].input("5.1.02.01.01")
    at.text_input[2].input(amount)
    return at.button[0].click().run()


def test_allocation_page_records_previews_and_commits(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    at = page("city/allocation.py", actor_for("admin"))
    assert not at.exception and "Alokasi APBD Kota" in all_text(at)
    at = _fill(at, amount="dua puluh")
    assert at.error and "tidak terbaca" in at.error[0].value
    assert at.text_input[0].value == "Perwal No. 113 Tahun 2023"  # nothing the admin typed is lost
    at = _fill(at, amount="40")
    assert not at.exception and "Alokasi tersimpan" in all_text(at)
    pratinjau = next(b for b in at.button if b.label == "Lihat pratinjau")
    at = pratinjau.click().run()
    text = all_text(at)
    assert "Akan terlindungi 40" in text and "Dibiayai 40 pekerja" in text
    run = next(b for b in at.button if b.label == "Jalankan alokasi")
    at = run.click().run()
    assert not at.exception and "40 pekerja kini ditanggung APBD Kota" in all_text(at)


def test_allocation_page_refused_to_viewer(page: Callable[..., AppTest], actor_for: Callable[[str], Actor]) -> None:
    at = page("city/allocation.py", actor_for("walikota"))
    assert at.error and not at.button


def _split(at: AppTest) -> dict[str, str]:
    from services.insight.catalogue import figure
    from services.insight.payers import PAYER_FIGURES

    labels = {figure(key).label for key in PAYER_FIGURES}
    return {m.label: m.value for m in at.metric if m.label in labels}


def test_the_split_by_payer_is_the_same_on_every_surface(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str
) -> None:
    from sqlmodel import Session

    from services.insight import payer_split
    from services.platform.db import make_engine

    with Session(make_engine(demo_db_url)) as s:
        split = payer_split(session=s)
    from services.insight.catalogue import figure

    expected = {figure(k).label: figure(k).format(v) for k, v in split.figures().items()}
    shown = [
        _split(page("city/overview.py", actor_for("walikota"))),
        _split(page("public/home.py")),
        _split(page("city/report.py", actor_for("admin"))),
    ]
    assert all(s == expected for s in shown), shown
    assert split.csr > 0  # the demo's registered pledges are paid by companies


def test_registration_pages_offer_the_city_allocation_as_its_own_payer(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor], demo_db_url: str
) -> None:
    import datetime as dt
    import io

    from python_calamine import CalamineWorkbook
    from sqlmodel import Session

    from services.matching.allocation import AllocationDraft, commit_allocation, record_allocation
    from services.platform.dates import add_months
    from services.platform.db import make_engine

    admin = actor_for("admin")
    first_month = dt.date.today().replace(day=1)
    draft = AllocationDraft(
        first_month.year, "5.1.02.99", "Perwal No. 7 Tahun 2027", first_month, add_months(first_month, 5), workers=6
    )
    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        alloc = record_allocation(session=s, actor=admin, draft=draft)
        commit_allocation(session=s, actor=admin, allocation_id=alloc)
    engine.dispose()
    at = page("city/bpjs.py", admin)
    mine = [o for o in at.selectbox[0].options if "5.1.02.99" in o]
    assert len(mine) == 1 and mine[0].startswith("APBD Kota Tangerang") and "6 baru" in mine[0]
    at.selectbox[0].select_index(at.selectbox[0].options.index(mine[0])).run()
    assert not at.exception and "dan 6 pekerja APBD Kota" in all_text(at)
    assert at.get("download_button")  # the file is built only on the click
    desks = [all_text(page("city/branch.py", actor_for(b))) for b in ("cikokol", "batuceper", "cimone")]
    assert sum(d.count("Perwal No. 7 Tahun 2027") for d in desks) >= 1  # each desk sees its kecamatan's share
    # BPJS's card for one of the city's workers: the branch that serves them lists the city among what it closed.
    from services import coverage

    engine = make_engine(demo_db_url)
    with Session(engine) as s:
        _, content = coverage.export_registration(
            session=s, actor=admin, selection=coverage.Selection(allocation_id=alloc)
        )
        first = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("Pendaftaran").to_python()[3]
        answer = f"NIK,KPJ,Tgl Mulai,Kode Penanggung\n{first[0]},26070000001,{first_month:%d/%m/%Y},APBD-{alloc}\n"
        done = coverage.import_result(session=s, actor=admin, content=answer.encode(), filename="h.csv", apply=True)
        assert done.updated == 1
    engine.dispose()
    closed = []
    for b in ("cikokol", "batuceper", "cimone"):
        at = page("city/branch.py", actor_for(b))
        assert not at.exception
        closed += [str(v) for t in at.table for v in t.value.index]
    assert "APBD" in closed


def test_dashboard_forecast_with_and_without_next_years_allocation(
    page: Callable[..., AppTest], actor_for: Callable[[str], Actor]
) -> None:
    import datetime as dt

    from services.insight.catalogue import figure
    from services.platform import fmt

    def shown(at: AppTest) -> dict[str, str]:
        keys = ("forecast_reached_without_allocation", "forecast_reached_with_allocation")
        return {k: next(m.value for m in at.metric if m.label == figure(k).label) for k in keys}

    at = page("city/overview.py", actor_for("walikota"))
    allocation = next(n for n in at.number_input if n.label.startswith("Alokasi APBD tahun depan"))
    allocation.set_value(-5)
    at.button[0].click().run()
    assert not at.exception and at.error and "Alokasi APBD tahun depan tidak boleh negatif" in at.error[0].value
    allocation = next(n for n in at.number_input if n.label.startswith("Alokasi APBD tahun depan"))
    assert allocation.value == -5  # what the viewer typed stays
    allocation.set_value(0)
    at.button[0].click().run()
    none = shown(at)
    assert none["forecast_reached_with_allocation"] == none["forecast_reached_without_allocation"]
    next(n for n in at.number_input if n.label.startswith("Alokasi APBD tahun depan")).set_value(100_000)
    at.button[0].click().run()
    assert not at.error
    january = dt.date(dt.date.today().year + 1, 1, 31)
    assert shown(at)["forecast_reached_with_allocation"] == fmt.date(january)  # 100.000 from January reach it
    assert "alokasi APBD tahun depan: skenario, mulai" in all_text(at)
