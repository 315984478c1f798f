@echo off
rem casetrack on Windows, as "make test": test.bat [pytest arguments], e.g. test.bat -m "not e2e"
setlocal
cd /d "%~dp0"
if not exist .venv\Scripts\python.exe (
    py -3 -m venv .venv 2>nul || python -m venv .venv || goto :error
)
.venv\Scripts\python.exe -m pip install --quiet -e ".[test]" || goto :error
.venv\Scripts\python.exe -m casetrack test --no-install %*
exit /b %ERRORLEVEL%
:error
echo Setting up casetrack failed (see above). It needs Python 3.11 or later from python.org, with "Add python.exe to PATH" ticked.
exit /b 1
