"""Makes the hostile Word and Excel files of tests/hostile/office/ (run: python tests/hostile/make_office.py).

The small ones are committed; `many_parts` is made at test time (2,500 entries). `password.docx` needs
msoffcrypto-tool and `old-word.docx` LibreOffice; without them the committed files are kept.
"""
from __future__ import annotations

import io
import pathlib
import subprocess
import sys
import tempfile
import zipfile
from typing import Callable, Dict

import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OFFICE = HERE / "office"
#: Any file fourp ran would leave this behind; the tests look for it.
MARKER = "fourp-was-here"
_FIXED = (2024, 3, 5, 14, 30, 0)  # every part dated alike, so a remade file differs only where it should


def _plan() -> dict:
    return yaml.safe_load((ROOT / "examples" / "good-plan.yaml").read_text("utf-8"))


def _document(fmt: str) -> bytes:
    from fourp.write import render

    return render(_plan(), fmt)


def _rezip(raw: bytes, replace: Dict[str, bytes], add: Dict[str, bytes] = {},
           content_type: Callable[[bytes], bytes] = lambda b: b) -> bytes:
    """An Office file with some parts replaced or added (and its content types edited)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replace.get(info.filename, source.read(info))
            if info.filename == "[Content_Types].xml":
                data = content_type(data)
            target.writestr(zipfile.ZipInfo(info.filename, _FIXED), data, zipfile.ZIP_DEFLATED)
        for name, data in add.items():
            target.writestr(zipfile.ZipInfo(name, _FIXED), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _part(raw: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return archive.read(name)


_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl><w:tr>
<w:tc><w:p><w:r><w:t>Plan reference</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:tc>
</w:tr></w:tbl></w:body></w:document>"""

_XXE_DOCX = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl><w:tr>
<w:tc><w:p><w:r><w:t>Plan reference</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p></w:tc>
</w:tr></w:tbl></w:body></w:document>"""

#: What a hostile macro would do if anything ran it: create the marker file where fourp runs.
_MACRO = (b"Attribute VB_Name = \"ThisDocument\"\r\nSub AutoOpen()\r\n  Open \"" + MARKER.encode()
          + b"\" For Output As #1\r\n  Close #1\r\n  Shell \"touch " + MARKER.encode() + b"\"\r\nEnd Sub\r\n")


def billion_laughs() -> bytes:
    return _rezip(_document("docx"), {"word/document.xml": _LAUGHS})


def xxe_docx() -> bytes:
    return _rezip(_document("docx"), {"word/document.xml": _XXE_DOCX})


def xxe_xlsx() -> bytes:
    """The Plan sheet with an external entity where the plan reference is (openpyxl writes inline strings)."""
    raw = _document("xlsx")
    sheet = _part(raw, "xl/worksheets/sheet1.xml")
    assert b"<t>Field</t>" in sheet
    hostile = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM '
               b'"file:///etc/passwd">]>\n' + sheet.replace(b"<t>Field</t>", b"<t>&xxe;</t>"))
    return _rezip(raw, {"xl/worksheets/sheet1.xml": hostile})


def zip_bomb_ratio() -> bytes:
    """A part of 50 MB of spaces, deflated to about 50 KB: a thousand to one."""
    return _rezip(_document("docx"), {}, {"customXml/item9.xml": b"<a>" + b" " * (50 * 1024 * 1024) + b"</a>"})


def zip_bomb_declared() -> bytes:
    """A part whose directory entry declares 4 GB: refused from the directory, nothing inflated."""
    raw = bytearray(_rezip(_document("xlsx"), {}, {"xl/media/big.xml": b"<a/>"}))
    name = b"xl/media/big.xml"
    entry = next(i for i in range(len(raw)) if raw.startswith(b"PK\x01\x02", i) and raw[i + 46:i + 46 + len(name)] == name)
    raw[entry + 24:entry + 28] = (0xFFFFFFF0).to_bytes(4, "little")  # its uncompressed size, in the directory
    return bytes(raw)


def many_parts(count: int = 2_500) -> bytes:
    return _rezip(_document("docx"), {}, {f"customXml/bomb{n}.xml": b"<a/>" for n in range(count)})


def macros(fmt: str) -> bytes:
    if fmt == "docx":
        main, macro = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                       "application/vnd.ms-word.document.macroEnabled.main+xml")
        where = "word/vbaProject.bin"
    else:
        main, macro = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                       "application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        where = "xl/vbaProject.bin"
    return _rezip(_document(fmt), {}, {where: _MACRO},
                  content_type=lambda b: b.replace(main.encode(), macro.encode()))


_DEL = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def tracked_changes() -> bytes:
    """The good plan with, in Pursue action PU-01's Result, a tracked deletion ("no result yet"), a
    tracked insertion ("Warrant executed") and a comment: read as "Warrant executed ..." and no more."""
    raw = _document("docx")
    xml = _part(raw, "word/document.xml").decode("utf-8")
    plan = _plan()
    result = plan["pursue"]["actions"][0]["result"]["text"]
    run = f"<w:r><w:t>{result}</w:t></w:r>"
    assert run in xml, "the result's run was not found"
    changed = ('<w:commentRangeStart w:id="0"/>'
               '<w:del w:id="1" w:author="DS Nair" w:date="2024-03-05T14:30:00Z"><w:r><w:delText>No result yet, '
               'see above. </w:delText></w:r></w:del>'
               '<w:ins w:id="2" w:author="DS Nair" w:date="2024-03-05T14:31:00Z"><w:r><w:t xml:space="preserve">'
               'Warrant executed: </w:t></w:r></w:ins>' + run +
               '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>')
    xml = xml.replace(run, changed, 1)
    comments = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                '<w:comment w:id="0" w:author="Supervisor" w:date="2024-03-06T09:00:00Z"><w:p><w:r>'
                '<w:t>COMMENT TEXT IS NOT CONTENT</w:t></w:r></w:p></w:comment></w:comments>').encode()
    rels = _part(raw, "word/_rels/document.xml.rels").decode("utf-8").replace(
        "</Relationships>", '<Relationship Id="rIdComments" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/comments" Target="comments.xml"/></Relationships>')
    return _rezip(raw, {"word/document.xml": xml.encode(), "word/_rels/document.xml.rels": rels.encode()},
                  {"word/comments.xml": comments},
                  content_type=lambda b: b.replace(b"</Types>", b'<Override PartName="/word/comments.xml" '
                                                   b'ContentType="application/vnd.openxmlformats-officedocument.'
                                                   b'wordprocessingml.comments+xml"/></Types>'))


def pdf() -> bytes:
    """A one-page PDF (written by hand: a PDF named .docx is refused from its first bytes)."""
    stream = b"BT /F1 12 Tf 72 720 Td (4P plan) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start))
    return out.getvalue()


def register() -> bytes:
    """An Excel register of threats: a spreadsheet a supervisor keeps beside the plans, not a plan."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "SOC register"
    sheet.append(["Threat", "APMIS reference", "Tier", "Owner", "Last reviewed"])
    sheet.append(["Whitmore Way OCG", "OCG-2024-0112", "1", "Supt Helen Okafor", "05/03/2024"])
    sheet.append(["Harbour Lane OCG", "OCG-2023-0077", "2", "Ch Insp Tom Reade", "12/02/2024"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def password() -> bytes:

    from msoffcrypto.format.ooxml import OOXMLFile

    source = io.BytesIO(_document("docx"))
    out = io.BytesIO()
    OOXMLFile(source).encrypt("Whitmore-2024", out)
    return out.getvalue()


def old_word() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "plan.docx"
        path.write_bytes(_document("docx"))
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile",
                        "--convert-to", "doc", "--outdir", folder, str(path)], check=True, capture_output=True,
                       timeout=120)
        return (pathlib.Path(folder) / "plan.doc").read_bytes()


#: Committed files, by name: how each is made.
FILES: Dict[str, Callable[[], bytes]] = {
    "billion-laughs.docx": billion_laughs,
    "xxe.docx": xxe_docx,
    "xxe.xlsx": xxe_xlsx,
    "zip-bomb-ratio.docx": zip_bomb_ratio,
    "zip-bomb-declared.xlsx": zip_bomb_declared,
    "macros.docm": lambda: macros("docx"),
    "macros.xlsm": lambda: macros("xlsx"),
    "tracked-changes.docx": tracked_changes,
    "pdf-renamed.docx": pdf,
    "register.xlsx": register,
    "password.docx": password,
    "old-word.docx": old_word,
}


def main() -> None:
    OFFICE.mkdir(exist_ok=True)
    for name, make in FILES.items():
        try:
            content = make()
        except (ImportError, FileNotFoundError, subprocess.CalledProcessError) as exc:
            print(f"kept {name}: cannot remake it here ({exc})", file=sys.stderr)
            continue
        (OFFICE / name).write_bytes(content)
        print(f"wrote {OFFICE / name} ({len(content):,} bytes)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
