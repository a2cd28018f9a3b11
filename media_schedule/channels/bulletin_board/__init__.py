"""Bulletin boards (宣传栏): the poster version (``version``), the board and its legibility
limits (``board``), typesetting and layout at the board's size, the PDF and PNG renderers
(``render``), the outlet's settings form (``forms``) and the adapter (``adapter``)."""
