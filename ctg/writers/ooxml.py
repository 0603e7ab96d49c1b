"""What ECMA-376 asks of the parts python-docx and pandoc leave as they are: children of a
properties element in the schema's order, styles that exist, honest extended properties."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.oxml.ns import qn

# CT_TblPr's sequence (ECMA-376 Part 1, §17.4.60)
TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar",
                "tblLook", "tblCaption", "tblDescription", "tblPrChange")

# CT_Settings' sequence from w:defaultTabStop on (ECMA-376 Part 1, §17.15.1.78)
SETTINGS_ORDER = ("defaultTabStop", "autoHyphenation", "consecutiveHyphenLimit", "hyphenationZone",
                  "doNotHyphenateCaps", "showEnvelope", "summaryLength", "clickAndTypeStyle", "defaultTableStyle",
                  "evenAndOddHeaders", "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
                  "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing", "displayHorizontalDrawingGridEvery",
                  "displayVerticalDrawingGridEvery", "doNotUseMarginsForDrawingGridOrigin",
                  "drawingGridHorizontalOrigin", "drawingGridVerticalOrigin", "doNotShadeFormData",
                  "noPunctuationKerning", "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars",
                  "noLineBreaksAfter", "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema",
                  "saveInvalidXml", "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
                  "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
                  "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
                  "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang", "clrSchemeMapping",
                  "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures", "forceUpgrade", "captions",
                  "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
                  "doNotEmbedSmartTags", "decimalSymbol", "listSeparator")

APPLICATION = "ctg (pandoc, python-docx)"


def put_in_order(parent, child, order: tuple[str, ...]) -> None:
    """Insert child (replacing an element of its name) where the schema's sequence wants it."""
    local = child.tag.split("}")[1]
    for old in parent.findall(qn(f"w:{local}")):
        parent.remove(old)
    later = {qn(f"w:{name}") for name in order[order.index(local) + 1:]}
    anchor = next((c for c in parent if c.tag in later), None)
    if anchor is not None:
        anchor.addprevious(child)
    else:
        parent.append(child)


def header_footer_styles(document) -> None:
    """python-docx's header and footer parts name the style ids « Header » and « Footer »; the style
    sheet's ids are those of its own « header » and « footer » styles."""
    styles = {s.name.lower(): s for s in document.styles if s.type == 1}
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if part.is_linked_to_previous:
                continue
            for p in part.paragraphs:
                style = p._p.pPr.pStyle if p._p.pPr is not None else None
                if style is not None and style.val.lower() in styles:
                    style.val = styles[style.val.lower()].style_id


def app_xml(pages: int | None) -> bytes:
    """docProps/app.xml naming the application that wrote the file, and the page count when the
    layout gave it (Word's template says « 1 page, Microsoft Word 12 »)."""
    count = f"<Pages>{pages}</Pages>" if pages else ""
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f"<Template>Normal.dotm</Template>{count}<Application>{APPLICATION}</Application>"
            "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate>"
            "<SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged>"
            "</Properties>").encode("utf-8")


def hyphenation_on(settings_xml: bytes) -> bytes:
    """word/settings.xml with French hyphenation on and words in capitals (acronyms) never cut:
    pandoc does not carry these settings over from the reference document."""
    from docx.oxml import OxmlElement, parse_xml
    from lxml import etree

    root = parse_xml(settings_xml)
    if root.find(qn("w:autoHyphenation")) is not None and root.find(qn("w:doNotHyphenateCaps")) is not None:
        return settings_xml
    for name in ("autoHyphenation", "doNotHyphenateCaps"):
        put_in_order(root, OxmlElement(f"w:{name}"), SETTINGS_ORDER)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def is_ours(app: bytes) -> bool:
    return APPLICATION.encode("utf-8") in app


def normalize_zip(data: bytes, date: dt.date, pages: int | None = None) -> bytes:
    """Same entries, same order, fixed timestamps: identical sources give identical bytes. The
    extended properties are ours (with the page count when given, else the one already written)."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/app.xml" and (pages or not is_ours(content)):
                content = app_xml(pages)
            elif info.filename == "word/settings.xml":
                content = hyphenation_on(content)
            dst.writestr(entry, content)
    return out.getvalue()
