"""``civicpulse area``: the operation's area as the detectors read it, to check an area file."""

from __future__ import annotations

import math
from pathlib import Path

import typer
from rich.table import Table

from civicpulse.cli.common import ConfigOption, console, escape, settings_from
from civicpulse.detectors.area import AreaMap, configured_area, load_area_file
from civicpulse.errors import UsageError

app = typer.Typer(help="The operation's area (area_file): districts, landmarks, what a text names.",
                  no_args_is_help=True)

FileOption = typer.Option(None, "--file", help="An area file to check (default: the area_file setting).")


def _area(path: Path | None, config: Path | None) -> AreaMap:
    area = load_area_file(path) if path is not None else configured_area(settings_from(config).area_file)
    if area is None:
        raise UsageError("no area configured", fix="set area_file (docs/configuration.md), or give --file area.yaml")
    return area


@app.command("show")
def show_command(file: Path | None = FileOption, config: Path | None = ConfigOption) -> None:
    """Each district with the names that count for it, and the names that count for none."""
    area = _area(file, config)
    table = Table("district", "centre", "radius", "names that count (any case, \"the\" optional)")
    for district in area.districts:
        table.add_row(escape(district.name), f"{district.lat:.5f}, {district.lon:.5f}", f"{district.radius_km:g} km",
                      escape(", ".join(area.names_of(district.name))) or "[yellow]none[/]")
    console.print(table)
    for name, districts in area.ambiguous.items():
        console.print(f"[yellow]{escape(name)!r} is listed for {escape(', '.join(districts))}: it counts for none of "
                      "them[/]")
    none = len(area.ambiguous)
    console.print(f"{len(area.districts)} district{'s' * (len(area.districts) != 1)}, "
                  f"{none} name{'s' * (none != 1)} that count{'s' * (none == 1)} for none")


@app.command("test")
def trial_command(
    text: str = typer.Argument("", help="A post's text: which districts does it name?"),
    lat: float | None = typer.Option(None, "--lat", help="A geotag's latitude: which district is it in?"),
    lon: float | None = typer.Option(None, "--lon", help="A geotag's longitude."),
    file: Path | None = FileOption,
    config: Path | None = ConfigOption,
) -> None:
    """Which districts a text names (and by which name), and which district a point is in."""
    area = _area(file, config)
    if (lat is None) != (lon is None):
        raise UsageError("a point needs both --lat and --lon", fix="give --lat 53.456 --lon -2.224")
    found = area.mentions(text)
    for district, written in found:
        console.print(f"names {escape(district)} (as {escape(written)!r})")
    if text and not found:
        console.print("names no district")
    if lat is not None and lon is not None:
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise UsageError("the point is not on Earth", fix="latitude -90..90, longitude -180..180")
        inside = area.district_at(lat, lon)
        console.print(f"{lat:g}, {lon:g} is in {escape(inside)}" if inside else f"{lat:g}, {lon:g} is in no district")
