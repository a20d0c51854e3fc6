"""``civicpulse area``: checking an area file as the person who writes it would."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_governance import civicpulse, ok

AREA = """districts:
  - {name: Rusholme, lat: 53.456, lon: -2.224, landmarks: [the Curry Mile, Platt Fields Park, Wilmslow Road]}
  - {name: Didsbury, lat: 53.416, lon: -2.231, radius_km: 1.5, landmarks: [Wilmslow Road]}
"""


def test_area_show_lists_the_names_that_count_and_those_that_do_not(tmp_path: Path) -> None:
    (tmp_path / "area.yaml").write_text(AREA)
    (tmp_path / "civicpulse.toml").write_text('area_file = "area.yaml"\n')
    shown = ok(tmp_path, "area", "show")
    assert "rusholme, curry mile, platt fields park" in shown
    assert "'wilmslow road' is listed for Didsbury, Rusholme: it counts for none of them" in shown
    assert "2 districts, 1 name that counts for none" in shown
    tried = ok(tmp_path, "area", "test", "Police all over the Curry Mile and Wilmslow Road", "--lat", "53.417",
               "--lon", "-2.232")
    assert "names Rusholme (as 'the Curry Mile')" in tried
    assert "53.417, -2.232 is in Didsbury" in tried
    assert "names no district" in ok(tmp_path, "area", "test", "Wilmslow Road is closed")


def test_area_mistakes_say_the_fix(tmp_path: Path) -> None:
    missing = civicpulse(tmp_path, "area", "show")
    assert missing.returncode == 2
    assert "no area configured" in missing.stderr
    assert "fix:" in missing.stderr
    (tmp_path / "bad.yaml").write_text("districts: [{name: X}]\n")
    bad = civicpulse(tmp_path, "area", "show", "--file", "bad.yaml")
    assert bad.returncode == 2
    assert "bad.yaml" in bad.stderr
    (tmp_path / "area.yaml").write_text(AREA)
    half = civicpulse(tmp_path, "area", "test", "x", "--lat", "53", "--file", "area.yaml")
    assert half.returncode == 2
    assert "a point needs both --lat and --lon" in half.stderr
