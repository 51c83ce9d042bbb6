/*
 * HTML attachments that assemble a file in the browser (HTML smuggling) or
 * collect credentials for a foreign host (phishing kits).  An HTML
 * attachment is opened from disk, so any absolute http(s) form target or
 * script endpoint is by definition a foreign host.  docs/antivirus.md
 */

rule SPE_HTML_Smuggling_Blob_Download
{
    meta:
        description = "HTML decodes an embedded payload into a Blob and saves it"
        severity = "high"

    strings:
        $html1 = "<html" ascii wide nocase
        $html2 = "<script" ascii wide nocase
        $dec1 = "atob(" ascii wide
        $dec2 = "base64ToArrayBuffer" ascii wide nocase
        $dec3 = "Uint8Array" ascii wide
        $blob = "Blob(" ascii wide
        $save1 = "createObjectURL" ascii wide
        $save2 = "msSaveOrOpenBlob" ascii wide
        $save3 = ".download" ascii wide
        $save4 = ".click()" ascii wide

    condition:
        any of ($html*) and ($dec1 or $dec2) and ($blob or $dec3) and 2 of ($save*)
}

rule SPE_HTML_Phishing_Credential_Form
{
    meta:
        description = "HTML attachment with a password field posting to a remote host"
        severity = "high"

    strings:
        $html1 = "<html" ascii wide nocase
        $html2 = "<form" ascii wide nocase
        $html3 = "<input" ascii wide nocase
        $pass = /type\s*=\s*["']?password/ ascii wide nocase
        $post1 = /<form[^>]{0,300}action\s*=\s*["']?https?:\/\// ascii wide nocase
        $post2 = /(XMLHttpRequest|fetch\s*\(|\$\.(ajax|post)\s*\()[^;]{0,300}https?:\/\// ascii wide nocase
        $post3 = "api.telegram.org/bot" ascii wide nocase
        $post4 = /\.action\s*=\s*["']https?:\/\// ascii wide nocase

    condition:
        any of ($html*) and $pass and any of ($post*)
}
