# Register casetrack as a Windows scheduled task that starts at boot and restarts on failure (waitress, port 8000).
# Run in PowerShell as administrator, from the casetrack folder, after run.bat has worked once:
#   powershell -ExecutionPolicy Bypass -File deploy\install-windows-task.ps1
# Remove it again with:  schtasks /Delete /TN casetrack /F
$ErrorActionPreference = "Stop"
$folder = (Resolve-Path "$PSScriptRoot\..").Path
& "$folder\.venv\Scripts\python.exe" -m pip install --quiet "waitress>=3,<4"
& "$folder\.venv\Scripts\python.exe" -m flask --app casetrack db upgrade
$xml = (Get-Content -Raw -Encoding Unicode "$PSScriptRoot\casetrack-task.xml") -replace "CASETRACK_FOLDER", $folder
$temporary = Join-Path $env:TEMP "casetrack-task.xml"
Set-Content -Path $temporary -Value $xml -Encoding Unicode
schtasks /Create /XML $temporary /TN casetrack /F
Remove-Item $temporary
# Let the office network reach port 8000 (phones of the village mediators).
New-NetFirewallRule -DisplayName "casetrack 8000" -Direction Inbound -Protocol TCP -LocalPort 8000 -Action Allow `
    -Profile Private,Domain -ErrorAction SilentlyContinue | Out-Null
schtasks /Run /TN casetrack
Write-Host "casetrack starts at every boot: http://localhost:8000/ (phones: the address /help/phone shows)"
