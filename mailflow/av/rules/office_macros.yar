/*
 * Office documents whose VBA macros run on open and reach out to the system
 * or the network.  Matched on vbaProject.bin (OOXML, unpacked by the YARA
 * engine) and on OLE2 files (.doc/.xls) and their streams.  Names are kept
 * uncompressed by Office in the _VBA_PROJECT and dir streams, so plain
 * strings work without decompressing the VBA source.  docs/antivirus.md
 */

rule SPE_Office_AutoExec_Macro_Dropper
{
    meta:
        description = "Auto-executing VBA macro that runs commands or downloads files"
        severity = "high"

    strings:
        $ole = { D0 CF 11 E0 A1 B1 1A E1 }
        $vba1 = "_VBA_PROJECT" ascii wide
        $vba2 = "Attribute VB_Name" ascii wide nocase
        $vba3 = "VBA_PROJECT_CUR" ascii wide

        $auto1 = "AutoOpen" ascii wide nocase
        $auto2 = "Auto_Open" ascii wide nocase
        $auto3 = "Document_Open" ascii wide nocase
        $auto4 = "Workbook_Open" ascii wide nocase
        $auto5 = "AutoExec" ascii wide nocase
        $auto6 = "Document_Close" ascii wide nocase
        $auto7 = "AutoClose" ascii wide nocase

        $act1 = "Shell" ascii wide fullword
        $act2 = "CreateObject" ascii wide nocase
        $act3 = "URLDownloadToFile" ascii wide nocase
        $act4 = "WScript.Shell" ascii wide nocase
        $act5 = "powershell" ascii wide nocase
        $act6 = "MSXML2.XMLHTTP" ascii wide nocase
        $act7 = "Shell.Application" ascii wide nocase
        $act8 = "ShellExecute" ascii wide nocase

    condition:
        ($ole at 0 or any of ($vba*)) and any of ($auto*) and any of ($act*)
}
