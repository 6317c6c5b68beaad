"""Digital signing (ký số) of issued PDFs with pyHanko, and their verification (issue 18).

A library without models or pages: keys from PKCS#12 files or PKCS#11 tokens, the Decree 30 visible stamp,
PAdES signatures and their validation in Vietnamese. The issuing flow lives in `baocao.reports`.
"""
