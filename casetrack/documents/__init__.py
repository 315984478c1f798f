"""The case file (卷宗): the mediation documents a case's state allows, as print views and DOCX.

kinds.py says which documents exist for a case now; content.py, records.py and agreement.py build each
document as plain data (blocks); word.py lays blocks out in the project's base.docx; case_file.py puts
the whole file together with its cover and contents; attachments.py stores uploaded files.
"""
