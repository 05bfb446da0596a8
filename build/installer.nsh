; Scan Station's additions to electron-builder's NSIS installer (electron-builder.yml: nsis.include).
; Silent roll-out for IT: a roll-out profile saved as scan-station-profile.json beside the installer
; (Setup.exe) is copied next to the installed app; on its first start the app imports it as
; `scan-station config import` does (electron/core/endpoint/first-run-profile.ts). A station that
; already has a profile keeps it.
!macro customInstall
  IfFileExists "$EXEDIR\scan-station-profile.json" 0 +2
    CopyFiles /SILENT "$EXEDIR\scan-station-profile.json" "$INSTDIR\scan-station-profile.json"
!macroend
