"""A small bundle written from docs/locality-bundle.md alone, as the files an office would send, and the
ways the page's tests upload it (a .zip of the folder, the .xlsx workbook)."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

FILES: dict[str, str] = {
    "bundle.yaml": "name: tinh-thu-2025\ndescription: Tỉnh Thử sau sắp xếp 2025 (dữ liệu thử)\n",
    "org-units.csv": (
        "code,name,type,parent,valid_from,sort_order\n"
        "TINH_THU,Tỉnh Thử,province,,2025-07-01,1\n"
        "PHUONG_A,Phường An Bình,ward,TINH_THU,2025-07-01,1\n"
        "XA_B,Xã Bình Minh,commune,TINH_THU,2025-07-01,2\n"
    ),
    "sectors.csv": "code,name\nKT,Kinh tế\n",
    "units-of-measure.csv": (
        "code,name,dimension,factor,whole_numbers\n"
        "trieu_dong,triệu đồng,money,1.000.000,không\n"
        "vu,vụ,count,,có\n"
    ),
    "target-types.csv": "code,name\nDT_NAM,dự toán năm\n",
    "indicators.csv": (
        "code,name,sector,unit,value_type,direction\n"
        "THU_NS,Tổng thu ngân sách trên địa bàn,KT,trieu_dong,decimal,up\n"
        "TAI_NAN,Số vụ tai nạn giao thông,KT,vu,integer,down\n"
    ),
    "targets.csv": (
        "indicator,org_unit,period,target_type,value\n"
        "THU_NS,PHUONG_A,2025,DT_NAM,2.990.000\n"
        "TAI_NAN,PHUONG_A,2025,DT_NAM,7.800\n"
    ),
    "users.csv": "username,first_name,last_name\npa.quantri,Nguyễn Văn,An\n",
    "roles.csv": "username,role,org_unit,valid_from\npa.quantri,admin,PHUONG_A,2025-07-01\n",
}


def zipped(files: dict[str, str], folder: str = "tinh-thu") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}/{name}" if folder else name, text.encode("utf-8"))
    return buffer.getvalue()


def workbook(files: dict[str, str]) -> bytes:
    """The Excel form of the docs: a sheet per file; CSV cells as text, YAML lines in column A."""
    book = Workbook()
    book.remove(book.active)
    for name, text in files.items():
        sheet = book.create_sheet(name)
        for line in text.splitlines():
            if name.endswith(".csv"):
                sheet.append(line.split(","))
            else:
                sheet.append([line])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> io.BytesIO:
    """A file for the test client's multipart POST."""
    handle = io.BytesIO(data)
    handle.name = name
    return handle
