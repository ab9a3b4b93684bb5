"""The Challenge page in AppTest, in both languages: a teacher creates, students join and submit, the reveal."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.charts import chart_specs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty data directory for the embedded SQLite database (the page's default)."""
    monkeypatch.setenv("PLAYGROUND_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PLAYGROUND_CHALLENGE_URL", raising=False)
    return tmp_path


def _page(lang: str, **qp: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("views/challenge.py").run()  # navigation clears the query string: the link's keys come after
    if qp:
        at.query_params.update(qp)
        at.run()
    return at


def _clean(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not [e.value for e in at.error], [e.value for e in at.error]


def _warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def _join(code: str, name: str, lang: str) -> AppTest:
    at = _page(lang, join=code)
    at.text_input(key="ch_name").input(name)
    at.button(key="ch_join_go").click().run()
    _clean(at)
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_teacher_creates_students_submit_reveal(data_dir: Path, lang: str) -> None:
    from ui import i18n
    from ui.zh import ZH

    i18n.MISSING.clear()
    teacher = _page(lang)
    _clean(teacher)
    title = "Class challenge" if lang == "en" else ZH["Class challenge"]
    assert teacher.title[0].value == title
    teacher.text_input(key="ch_title").input("Week 3 <b>bold</b>")
    teacher.button(key="ch_create_go").click().run()
    assert any("letters" in w or "字母" in w for w in _warnings(teacher)), _warnings(teacher)  # <b> refused
    teacher.text_input(key="ch_title").input("Week 3")
    teacher.number_input(key="ch_cool").set_value(0)
    teacher.number_input(key="ch_most").set_value(3)
    teacher.button(key="ch_create_go").click().run()
    _clean(teacher)
    code, secret = teacher.query_params["join"], teacher.query_params["teacher"]
    assert len(code) == 8 and len(secret) >= 32
    assert teacher.get("image"), "no QR code image"

    ann = _join(code, "Ann", lang)
    assert "me" in ann.query_params
    dup = _join(code, "ann", lang)
    assert "me" not in dup.query_params and _warnings(dup), "a duplicate name must be refused with a message"
    bad = _join("ZZZZ-ZZZZ", "Bob", lang)
    assert "me" not in bad.query_params and _warnings(bad)

    for degree in (3, 9, 15):
        ann.slider(key="ch_degree").set_value(degree).run()
        ann.button(key="ch_submit").click().run()
        _clean(ann)
        assert [s.value for s in ann.success], _warnings(ann)
    ann.button(key="ch_submit").click().run()
    assert _warnings(ann), "a fourth submission (limit 3) must be refused with a message"

    teacher.run()
    teacher.button(key="ch_reveal").click().run()
    _clean(teacher)
    assert len(chart_specs(teacher)) == 2, "the reveal draws two charts"
    ann.run()
    _clean(ann)
    assert len(chart_specs(ann)) >= 2
    assert any(i.value.startswith(ZH[INFO][:6] if lang == "zh" else INFO[:6]) for i in ann.info)
    assert not i18n.MISSING, sorted(i18n.MISSING)


INFO = (
    "Every time you picked a model because its validation error was lower, you also fitted the few "
    "validation points, noise included. The hidden test set is new data: the gap between its error and the "
    "validation error is how much the class overfitted the validation set, and it tends to grow with the number of "
    "submissions."
)


def test_an_unavailable_database_is_a_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.st_client import HOST, free_port

    monkeypatch.setenv("PLAYGROUND_CHALLENGE_URL", f"postgresql+psycopg://nobody@{HOST}:{free_port()}/none")
    at = _page("en")
    _clean(at)
    at.text_input(key="ch_code").input("ABCD-2345")
    at.text_input(key="ch_name").input("Ann")
    at.button(key="ch_join_go").click().run()
    _clean(at)
    assert any("not available" in w for w in _warnings(at)), _warnings(at)
    teacher = _page("en", join="ABCD2345", teacher="x" * 32)
    _clean(teacher)
    assert any("not available" in w for w in _warnings(teacher)), _warnings(teacher)


def test_a_wrong_teacher_key_controls_nothing_and_joins_are_rate_limited(data_dir: Path) -> None:
    teacher = _page("en")
    teacher.button(key="ch_create_go").click().run()
    code, secret = teacher.query_params["join"], teacher.query_params["teacher"]
    forged = _page("en", join=code, teacher=secret[:-2] + "xx")
    _clean(forged)
    assert any("teacher key" in w for w in _warnings(forged)), _warnings(forged)
    keys = {b.key for b in forged.button}
    assert not keys & {"ch_close", "ch_reveal", "ch_delete", "ch_rm"}, keys
    guesser = _page("en")
    seen = []
    for i in range(7):  # 5 attempts a minute per session: the sixth is refused before the database is asked
        guesser.text_input(key="ch_code").input(f"ABCD-23{i}5")
        guesser.text_input(key="ch_name").input("Eve")
        guesser.button(key="ch_join_go").click().run()
        _clean(guesser)
        seen.append(" ".join(_warnings(guesser)))
    assert all("No challenge" in w for w in seen[:5]) and all("Too many attempts" in w for w in seen[5:]), seen


def test_a_network_submission_is_trained_on_the_server(data_dir: Path) -> None:
    teacher = _page("en")
    teacher.multiselect(key="ch_fams").set_value(["poly", "mlp"])
    teacher.number_input(key="ch_cool").set_value(0)
    teacher.button(key="ch_create_go").click().run()
    _clean(teacher)
    ann = _join(teacher.query_params["join"], "Ann", "en")
    ann.selectbox(key="ch_family").set_value("mlp").run()
    assert ann.slider(key="ch_epochs").value == 500  # the default 1000 starts inside the challenge's limit
    ann.slider(key="ch_epochs").set_value(50).run()
    _clean(ann)
    assert ann.slider(key="ch_width") is not None
    ann.button(key="ch_submit").click().run()
    _clean(ann)
    assert [s.value for s in ann.success], _warnings(ann)
    from playground.challenge import Store  # the stored settings are the network's
    from ui.challenge_page import _store, _url

    subs = _store(_url()).all_submissions(teacher.query_params["join"], teacher.query_params["teacher"])
    assert subs[0].family == "mlp" and "family=mlp" in subs[0].query and isinstance(_store(_url()), Store)
