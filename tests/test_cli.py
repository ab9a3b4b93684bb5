"""`python -m playground`: figures as offline HTML, metrics as fit() computes them, bad links as notices."""

import base64
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import playground.__main__ as cli
from playground.data import make_data
from playground.figures import grid
from playground.settings import DataSettings, ModelSettings, TrainSettings
from playground.train import fit
from playground.verdict import verdict

ROOT = Path(__file__).resolve().parent.parent
QUERY = "n=5&degree=6&truth=linear"


def traces(html: Path) -> dict[str, dict]:
    """The traces the HTML file draws (the JSON passed to Plotly.newPlot), by name."""
    text = html.read_text(encoding="utf-8")
    start = text.index("Plotly.newPlot(")
    start = text.index("[", start)  # after the div id: the data array
    data, _ = json.JSONDecoder().raw_decode(text, start)
    return {t.get("name"): t for t in data}


def values(v: list | dict) -> np.ndarray:
    """A trace's x or y: plotly writes arrays as plain lists or as base64 typed arrays."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v, dtype=float)


def printed(out: str, label: str) -> str:
    """The value after `label:` in the CLI's output."""
    m = re.search(rf"^{re.escape(label)}:\s+(.+)$", out, re.M)
    assert m, f"{label!r} not in output:\n{out}"
    return m.group(1).strip()


def test_fit_writes_offline_html_with_the_training_points(tmp_path, capsys) -> None:
    assert cli.main(["fit", QUERY, "--out", str(tmp_path)]) == 0
    for name in ("fit.html", "degree.html", "plotly.min.js", "data.csv", "metrics.json"):
        assert (tmp_path / name).is_file(), name
    html = (tmp_path / "fit.html").read_text()
    assert 'src="plotly.min.js"' in html and "cdn.plot.ly" not in html  # works without internet
    d = make_data(DataSettings(n=5, truth="linear"))
    tr = traces(tmp_path / "fit.html")
    np.testing.assert_array_equal(values(tr["training points"]["x"]), d.x.numpy())
    np.testing.assert_array_equal(values(tr["training points"]["y"]), d.y.numpy())
    assert {"validation points", "truth", "degree 6 fit"} <= set(tr)
    deg = traces(tmp_path / "degree.html")
    assert len(values(deg["training MSE"]["x"])) == 21  # degrees 0..20, as on the page


def test_printed_metrics_match_fit(tmp_path, capsys) -> None:
    cli.main(["fit", QUERY, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    d = make_data(DataSettings(n=5, truth="linear"))
    r = fit(d, ModelSettings(degree=6))
    v = verdict(r.train_metric, r.val_metric, d.noise, float(np.var(d.truth_fn(grid()))))
    assert float(printed(out, "train MSE")) == pytest.approx(r.train_metric, rel=1e-5, abs=1e-12)
    assert float(printed(out, "validation MSE")) == pytest.approx(r.val_metric, rel=1e-5)
    assert printed(out, "parameters") == "7" and printed(out, "best epoch") == "—"
    assert printed(out, "verdict").startswith(cli.VERDICT_TITLE[v.kind]) and v.kind == "overfit"
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["val_mse"] == r.val_metric and m["parameters"] == 7 and m["verdict"] == "overfit"
    assert m["query"] == "truth=linear&n=5&degree=6"


def test_network_run_writes_loss_chart_and_history_matching_fit(tmp_path, capsys) -> None:
    q = "family=mlp&width=8&epochs=30&n=10"
    assert cli.main(["fit", q, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    r = fit(
        make_data(DataSettings(n=10)), ModelSettings(family="mlp", width=8), TrainSettings(epochs=30), device="auto"
    )
    assert float(printed(out, "validation MSE")) == pytest.approx(r.val_metric, rel=1e-5)
    assert printed(out, "parameters") == str(r.n_params) and printed(out, "best epoch") == str(r.best_epoch)
    rows = list(csv.reader((tmp_path / "history.csv").open()))
    assert len(rows) == 32 and [float(x[2]) for x in rows[1:]] == pytest.approx(r.val_loss, rel=1e-5)
    loss = traces(tmp_path / "loss.html")
    assert len(values(loss["training loss"]["y"])) == 31 and "best epoch" in loss


def test_a_full_app_url_gives_the_same_result_as_its_query(tmp_path, capsys) -> None:
    cli.main(["fit", QUERY, "--out", str(tmp_path / "a")])
    a = json.loads((tmp_path / "a" / "metrics.json").read_text())
    url = f"https://playground.example.org/fit?{QUERY}#top"
    assert cli.main(["fit", url, "--out", str(tmp_path / "b")]) == 0
    b = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert a == b and "unknown setting" not in capsys.readouterr().err


def test_bad_values_become_notices_and_defaults_not_crashes(tmp_path, capsys) -> None:
    q = "n=lots&degree=99&noise=-3&truth=wiggly&ridge=0.003&bogus=1&n=abc"
    assert cli.main(["fit", q, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "Training points: abc is an unknown value, using the default 20" in err  # the last repeated key wins
    assert "Polynomial degree: 99 is out of range, clamped to 30" in err
    assert "Noise (σ): -3 is out of range, clamped to 0" in err
    assert "Ground truth: wiggly is an unknown value" in err
    assert "Ridge (L2) strength: 0.003 is not on the slider, using 0.002" in err  # the page's slider snaps too
    assert "unknown setting 'bogus' ignored" in err
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert m["parameters"] == 31 and len(m["notices"]) == 6
    r = fit(make_data(DataSettings(noise=0.0)), ModelSettings(degree=30, ridge=0.002))
    assert m["val_mse"] == r.val_metric


def test_png_without_kaleido_fails_clearly_and_writes_nothing(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(cli, "has_kaleido", lambda: False)
    assert cli.main(["fit", QUERY, "--out", str(tmp_path / "o"), "--png"]) != 0
    err = capsys.readouterr().err
    assert "PNG export needs the kaleido package" in err and "without --png" in err
    assert not (tmp_path / "o").exists()


def test_has_kaleido_reports_whether_the_package_can_be_imported() -> None:
    try:
        import kaleido  # noqa: F401
    except ImportError:
        assert not cli.has_kaleido()
    else:
        assert cli.has_kaleido()


def test_standalone_html_embeds_plotly_js(tmp_path) -> None:
    assert cli.main(["fit", QUERY, "--out", str(tmp_path), "--standalone"]) == 0
    assert not (tmp_path / "plotly.min.js").exists()
    html = (tmp_path / "fit.html").read_text()
    assert 'src="plotly.min.js"' not in html and len(html) > 1_000_000  # the library is inside the file


def test_an_unwritable_output_folder_is_an_error_message(tmp_path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert cli.main(["fit", QUERY, "--out", str(blocker / "sub")]) != 0
    assert "could not write the files" in capsys.readouterr().err


def test_usage_errors_exit_with_status_2() -> None:
    for argv in ([], ["fit"], ["nope", QUERY], ["fit", QUERY]):  # the last lacks --out
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        assert e.value.code == 2


def test_a_new_page_is_one_registry_entry(monkeypatch, capsys) -> None:
    seen = []
    hello = cli.Command("say hello", lambda p: p.add_argument("who"), lambda a: seen.append(a.who) or 0)
    monkeypatch.setitem(cli.COMMANDS, "hello", hello)
    assert cli.main(["hello", "class"]) == 0 and seen == ["class"]


def test_runs_as_a_module_in_a_subprocess(tmp_path) -> None:
    p = subprocess.run(
        [sys.executable, "-m", "playground", "fit", "n=5&degree=6&noise=oops", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert "train MSE:" in p.stdout and "Noise (σ): oops is an unknown value" in p.stderr
    assert (tmp_path / "fit.html").stat().st_size > 1000


def test_lesson_command_renders_a_fit_lesson_with_its_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from playground.lessons import lesson

    p = lesson("powerful_model")
    assert cli.main(["lesson", "powerful_model", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(p.title) and (tmp_path / "fit.html").exists()
    assert f"degree={p.values['degree']}" in out and "Overfitting" in out


def test_lesson_command_refuses_unknown_and_other_page_lessons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["lesson", "nope", "--out", str(tmp_path)]) != 0
    assert cli.main(["lesson", "dropout", "--out", str(tmp_path)]) != 0
    assert "?lesson=dropout" in capsys.readouterr().err
