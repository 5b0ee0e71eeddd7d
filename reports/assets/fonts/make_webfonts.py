"""Make the small WOFF2 web fonts the HTML report embeds, from the bundled TTFs.

Why: the HTML must look the same everywhere without fetching anything, so report.css embeds the
report's font with @font-face (pandoc --embed-resources inlines the url() as a data: URI). The
full Carlito TTFs are about 600 KB each, more than the whole text of the report, so the HTML
gets a subset: the characters a report can contain (Basic Latin, Latin-1, typographic
punctuation, the arithmetic and comparison signs, arrows) compressed as WOFF2. Symbols Carlito
lacks (✔ ✖ ▲ ▼, used in RAG and direction cells) come from a DejaVu Sans subset. The TTFs stay
for Typst (the PDF embeds its own subset).

Licences: Carlito is under the SIL OFL with the Reserved Font Name "Carlito", so a subset (a
Modified Version) must not carry that name: the subsets are renamed "Report Sans" and, for the
DejaVu symbols, "Report Symbols" (the Bitstream Vera licence likewise asks modified copies not to
use its names). OFL.txt and LICENSE-DejaVu.txt apply to the subsets too.

Run from anywhere (needs fontTools and brotli, both in the ``dev`` extra):
    python3 reports/assets/fonts/make_webfonts.py
and commit the .woff2 files it writes next to this script. tests/render/test_accessibility.py
checks that every character of a built report is in one of the subsets.
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent

#: Characters a report may contain: printable ASCII, Latin-1 (accents, £, ±, ×, ÷, ·), dashes,
#: quotes, ellipsis, bullets, €, ™, arrows, minus, ≈ ≠ ≤ ≥.
TEXT = [
    *range(0x20, 0x7F), *range(0xA0, 0x100), 0x152, 0x153, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014,
    0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2022, 0x2026, 0x2030, 0x2032, 0x2033, 0x2039,
    0x203A, 0x20AC, 0x2122, 0x2190, 0x2191, 0x2192, 0x2193, 0x2212, 0x2248, 0x2260, 0x2264, 0x2265,
]
#: Symbols for the RAG / direction / assurance cells that Carlito does not have.
SYMBOLS = [0x25B2, 0x25B3, 0x25BA, 0x25BC, 0x25BD, 0x25C4, 0x25CF, 0x25CB, 0x25A0, 0x25A1,
           0x2713, 0x2714, 0x2716, 0x2717, 0x2718, 0x2194, 0x2195]

#: source TTF -> (output file, family name, style name, characters)
FONTS = {
    "Carlito-Regular.ttf": ("report-sans-regular.woff2", "Report Sans", "Regular", TEXT),
    "Carlito-Bold.ttf": ("report-sans-bold.woff2", "Report Sans", "Bold", TEXT),
    "Carlito-Italic.ttf": ("report-sans-italic.woff2", "Report Sans", "Italic", TEXT),
    "Carlito-BoldItalic.ttf": ("report-sans-bolditalic.woff2", "Report Sans", "Bold Italic", TEXT),
    "DejaVuSans.ttf": ("report-symbols.woff2", "Report Symbols", "Regular", SYMBOLS),
}


def _rename(font: TTFont, family: str, style: str) -> None:
    """Replace the font's names (family, full, PostScript, unique id) so no reserved name remains."""
    full = f"{family} {style}" if style != "Regular" else family
    postscript = f"{family}-{style}".replace(" ", "")
    keep_ids = {0, 2, 5, 7, 8, 9, 10, 11, 12, 13, 14}  # copyright, style, version, trademark, designer, licence
    table = font["name"]
    table.names = [n for n in table.names if n.nameID in keep_ids]
    for name_id, text in ((1, family), (3, f"{postscript}; subset for torbayreport"), (4, full), (6, postscript)):
        table.setName(text, name_id, 3, 1, 0x409)
    table.setName(style if style in ("Regular", "Bold", "Italic", "Bold Italic") else "Regular", 2, 3, 1, 0x409)


def make(source: str, target: str, family: str, style: str, chars: list[int]) -> Path:
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga", "lnum", "tnum"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = TTFont(HERE / source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=chars)
    subsetter.subset(font)
    _rename(font, family, style)
    out = HERE / target
    font.flavor = "woff2"
    font.save(out)
    return out


def main() -> None:
    for source, (target, family, style, chars) in FONTS.items():
        out = make(source, target, family, style, chars)
        print(f"{out.name}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
