@echo off
rem casetrack on Windows, as "make run": run.bat            serves this computer only (http://127.0.0.1:5000)
rem                                      run.bat 0.0.0.0    serves the office network too (phones)
rem Needs Python 3.11+ from python.org ("Add python.exe to PATH" ticked).
setlocal
cd /d "%~dp0"
if not exist .venv\Scripts\python.exe (
    py -3 -m venv .venv 2>nul || python -m venv .venv || goto :error
)
set HOSTARG=127.0.0.1
if not "%~1"=="" set HOSTARG=%~1
.venv\Scripts\python.exe -m pip install --quiet -e . || goto :error
.venv\Scripts\python.exe -m casetrack run --no-install --host %HOSTARG% --port 5000
goto :eof
:error
echo Setting up casetrack failed (see above). It needs Python 3.11 or later from python.org, with "Add python.exe to PATH" ticked.
exit /b 1
