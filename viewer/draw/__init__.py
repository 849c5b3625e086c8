"""Pillow drawing, one module per job.

``color`` colour values and what each face's colour means; ``text`` the font, measuring, fitting
and wrapping; ``shapes`` plain shape records and ``paint``, the only function that calls
ImageDraw; ``boxes`` face boxes, labels, badges, crops and blur; ``tiles`` error, waiting and
legend tiles; ``sheet`` contact sheets; ``encode`` JPEG and PNG bytes.

geometry.py decides where things go and viewer.compose what each face gets; this package draws.
Public functions return a new image and leave their input alone.
"""
