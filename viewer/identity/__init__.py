"""Identity evidence: same-photo conflicts, face descriptors from a local model, distances.

Nothing here imports Streamlit: the app, the command line, the tests and the benchmark share it.
"""
