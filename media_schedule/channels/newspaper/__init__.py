"""The ``newspaper`` outlet (报纸有文字): print-ready copy that an editor takes to the paper.

Nothing is sent. The adapter builds the copy (引题、主标题、副标题、署名、正文、图片), checks it
against the paper's word limits and sections, shows it as a newspaper column and makes the
files to hand over (Word and PDF); the editor later records the printed page as evidence.
"""
