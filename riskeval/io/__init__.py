"""The readers: YAML with positions (``riskeval.io.yaml``) and tables (``riskeval.io.tables``).

Every value read carries its location, and nothing read from a file is ever evaluated.
"""
