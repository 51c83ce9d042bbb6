/*
 * Script attachments (JS, JSE, VBS, WSF, HTA) and command lines that start
 * other programs or fetch payloads: the classic first stage of malspam.
 * docs/antivirus.md
 */

rule SPE_Script_Dropper_WSH
{
    meta:
        description = "Windows Script Host script that runs commands or downloads files"
        severity = "high"

    strings:
        $obj1 = "WScript.Shell" ascii wide nocase
        $obj2 = "ActiveXObject" ascii wide nocase
        $obj3 = "Scripting.FileSystemObject" ascii wide nocase
        $obj4 = "Shell.Application" ascii wide nocase
        $obj5 = "WScript.CreateObject" ascii wide nocase

        $act1 = /\.(Run|Exec|ShellExecute)\b/ ascii wide nocase
        $act2 = "MSXML2.XMLHTTP" ascii wide nocase
        $act3 = "WinHttp.WinHttpRequest" ascii wide nocase
        $act4 = "ADODB.Stream" ascii wide nocase
        $act5 = "powershell" ascii wide nocase
        $act6 = "cmd.exe" ascii wide nocase
        $act7 = "cmd /c" ascii wide nocase

    condition:
        filesize < 5MB and any of ($obj*) and any of ($act*)
}

rule SPE_PowerShell_Encoded_Command
{
    meta:
        description = "PowerShell started with a base64-encoded command"
        severity = "high"

    strings:
        $enc = /powershell(\.exe)?["']?[^\r\n]{0,120}\s[-\/]e(c|n[a-z]{0,12})?\s+["']?[A-Za-z0-9+\/=]{24,}/ ascii wide nocase

    condition:
        $enc
}
