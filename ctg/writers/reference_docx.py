"""Build templates/reference.docx: the Word styles of every generated DOCX.

The committed file is the one pandoc uses; legal staff may restyle it in Word.
To rebuild it from pandoc's default after a change here:
    python -m ctg.writers.reference_docx templates/reference.docx
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..core import pandoc
from .ooxml import SETTINGS_ORDER, put_in_order

FONT = "Arial"  # metric-compatible with Liberation Sans, which LibreOffice uses when Arial is absent
BLUE = RGBColor(0x1F, 0x3A, 0x68)
TEXT_WIDTH_CM = 16.0
ARIAL_PANOSE = b"020B0604020202020204"


def _font(style, size: float | None = None, bold: bool | None = None, color: RGBColor | None = None,
          italic: bool | None = None) -> None:
    f = style.font
    f.name = FONT
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for key in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(key), FONT)
    for key in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        if fonts.get(qn(key)) is not None:
            del fonts.attrib[qn(key)]
    if size is not None:
        f.size = Pt(size)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    if color is not None:
        f.color.rgb = color


# CT_PPrBase's elements after w:suppressAutoHyphens (ECMA-376 Part 1, §17.3.1.26)
PPR_AFTER_SUPPRESS_HYPHENS = tuple(f"w:{t}" for t in (
    "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"))


def _paragraph_style(d, name: str, base: str = "Normal"):
    styles = d.styles
    try:
        return styles[name]
    except KeyError:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        return style


# Long on purpose: the reference document's style sheet, one style after another (scripts/sizes.py).
def build() -> bytes:
    default = pandoc._run(["--print-default-data-file", "reference.docx"], b"")
    d = docx.Document(io.BytesIO(default))
    styles = d.styles

    normal = styles["Normal"]
    _font(normal, 10.5)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "fr-FR")
    normal.element.get_or_add_rPr().append(lang)
    for name in ("Body Text", "First Paragraph"):
        s = styles[name]
        s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        s.paragraph_format.space_after = Pt(6)
        s.paragraph_format.space_before = Pt(0)
    compact = styles["Compact"]
    compact.paragraph_format.space_after = Pt(2)

    for level, size in ((1, 15), (2, 12.5), (3, 11), (4, 10.5)):
        h = styles[f"Heading {level}"]
        _font(h, size, bold=True, color=BLUE)
        h.paragraph_format.keep_with_next = True
        h.paragraph_format.space_before = Pt(16 if level == 1 else 10)
        h.paragraph_format.space_after = Pt(6)

    title = styles["Title"]
    _font(title, 24, bold=True, color=BLUE)
    for name, size, bold, space in (("Couverture titre", 24, True, 24), ("Couverture territoire", 16, False, 18),
                                    ("Couverture periode", 16, True, 18), ("Mention projet", 28, True, 24)):
        s = _paragraph_style(d, name)
        _font(s, size, bold=bold, color=RGBColor(0xC0, 0x00, 0x00) if name == "Mention projet" else BLUE)
        s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        s.paragraph_format.space_after = Pt(space)
    s = _paragraph_style(d, "Couverture parties")
    _font(s, 12, color=BLUE)
    s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    s.paragraph_format.space_after = Pt(4)
    s = _paragraph_style(d, "Couverture logos")
    s.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    s.paragraph_format.space_before = Pt(48)
    # a cover with many parties (24 communes sign) still holds on its page
    s = _paragraph_style(d, "Couverture parties compacte", "Couverture parties")
    _font(s, 9.5, color=BLUE)
    s.paragraph_format.space_after = Pt(0)
    s = _paragraph_style(d, "Couverture logos compacte", "Couverture logos")
    s.paragraph_format.space_before = Pt(10)

    signataire = _paragraph_style(d, "Signataire")
    _font(signataire, 10)
    signataire.paragraph_format.space_after = Pt(3)
    signataire.paragraph_format.keep_with_next = True
    signataire.paragraph_format.keep_together = True

    # a paragraph of a form, with blanks to fill: aligned left (justified, its dotted lines stretch)
    formulaire = _paragraph_style(d, "Formulaire", "Body Text")
    formulaire.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    cloture = _paragraph_style(d, "Cloture", "Body Text")
    cloture.paragraph_format.keep_with_next = True
    cloture.paragraph_format.space_before = Pt(12)

    toc_heading = styles["TOC Heading"]
    _font(toc_heading, 15, bold=True, color=BLUE)
    for level, indent in ((1, 0.0), (2, 0.6)):
        s = _paragraph_style(d, f"TOC {level}")
        _font(s, 10.5, bold=(level == 1))
        pf = s.paragraph_format
        pf.left_indent = Cm(indent)
        pf.space_after = Pt(3 if level == 1 else 1)
        pf.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)

    for name in ("Header", "Footer"):
        s = _paragraph_style(d, name)
        _font(s, 8.5, color=RGBColor(0x55, 0x55, 0x55))

    # A4, French margins; pandoc copies this section setup into every document.
    section = d.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.header_distance = section.footer_distance = Cm(1.0)

    # Titles, headings, the sommaire and the signature cells are never hyphenated.
    for name in ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "Couverture titre", "Couverture territoire",
                 "Couverture parties", "Couverture parties compacte", "Couverture periode", "Mention projet", "TOC 1", "TOC 2", "Signataire"):
        if name in [s.name for s in styles]:
            ppr = styles[name].element.get_or_add_pPr()
            ppr.insert_element_before(OxmlElement("w:suppressAutoHyphens"), *PPR_AFTER_SUPPRESS_HYPHENS)
    # French hyphenation on (Word, and LibreOffice with the hyphen-fr dictionary), never inside a
    # word in capitals: an acronym (« CCPO ») stays whole.
    settings = d.settings.element
    for name in ("autoHyphenation", "doNotHyphenateCaps"):
        put_in_order(settings, OxmlElement(f"w:{name}"), SETTINGS_ORDER)
    # Footnotes numbered continuously through the whole document (no restart per section).
    for fpr in settings.findall(qn("w:footnotePr")):
        for restart in fpr.findall(qn("w:numRestart")):
            fpr.remove(restart)
    out = io.BytesIO()
    d.save(out)
    return french_arial_defaults(out.getvalue())


def french_arial_defaults(data: bytes) -> bytes:
    """Arial and French as the document defaults and in the theme: text that names no font of its
    own (the theme's « Aptos » in pandoc's default) has a metric twin in LibreOffice too, and Word
    hyphenates and checks the spelling in French."""
    import re
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "word/styles.xml":
                text = content.decode("utf-8")
                defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", text).group(0)
                fixed = re.sub(r"<w:rFonts [^>]*/>", f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" '
                               f'w:eastAsia="{FONT}"/>', defaults)
                fixed = re.sub(r'<w:lang w:val="[^"]*"', '<w:lang w:val="fr-FR"', fixed)
                # code: Courier New, whose metric twin is Liberation Mono (Consolas has none)
                content = text.replace(defaults, fixed).replace('"Consolas"', '"Courier New"')
                # pandoc's « Table » style is based on « TableNormal », which the sheet does not define
                content = content.replace('<w:basedOn w:val="TableNormal"/>', "").encode("utf-8")
            elif info.filename.startswith("word/theme/"):
                content = re.sub(rb'<a:latin typeface="[^"]*"( panose="[^"]*")?',
                                 b'<a:latin typeface="Arial" panose="' + ARIAL_PANOSE + b'"', content)
            dst.writestr(info, content)
    return out.getvalue()


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "templates/reference.docx")
    target.write_bytes(build())
    print(f"{target} écrit.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
