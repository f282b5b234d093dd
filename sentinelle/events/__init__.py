"""Event detection under the décret 2023-828 experiment (loi 2023-380 art. 10).

Only the predetermined event types, only on the cameras and during the period of a recorded
legal basis (`basis`), on tracks within one camera (`detectors`); each detection is an attention
signal (`alerts`) that a habilitated operator confirms or dismisses, nothing else follows.
`performance` measures precision and false positives from those decisions; `synthetic` holds a
labelled test set of scenes generated in code.
"""
