#!/usr/bin/env python3
"""Regenerates the small ingest fixtures in this folder (run from anywhere; needs pyarrow).

    python3 tests/data/make_fixtures.py

The XLSX fixture is made separately by LibreOffice from its .fods source (see README.md).
The expected counts are asserted in tests/e2e/ingest.rs: change both together.
"""

import datetime
import json
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).resolve().parent

# GB 32100-2015: 31 characters, weights 3^(i-1) mod 31, check = (31 - sum mod 31) mod 31.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_char(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def uscc(first17: str) -> str:
    assert len(first17) == 17
    return first17 + check_char(first17)


def wrong_check(first17: str) -> str:
    good = check_char(first17)
    bad = "0" if good != "0" else "1"
    return first17 + bad


def csv_field(text: str) -> str:
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def enterprises_gbk() -> None:
    """10 rows: 6 valid, 4 rejected (5 problems)."""
    rows = [
        # line 2: valid
        [uscc("91320500MA1N0A0B1"), "苏州华东精密机械有限公司", "C3411", "machinery", "medium", "东区", "2012-03-15", "320", "45.5"],
        # line 3: valid (Chinese date, thousands separator)
        [uscc("91320500MA1N0A0B2"), "苏州金桥钢铁制品有限公司", "C3130", "iron_steel", "large", "西区", "2008年6月1日", "1,250", "210"],
        # line 4: wrong check digit
        [wrong_check("91320500MA1N0A0B3"), "苏州恒达化工有限公司", "C2614", "petrochemicals", "small", "南区", "2015-09-30", "85", "30"],
        # line 5: valid (optional fields empty)
        [uscc("91320500MA1N0A0B4"), "苏州绿源食品有限公司", "C1391", "food", "", "", "", "", ""],
        # line 6: unknown key industry
        [uscc("91320500MA1N0A0B5"), "苏州星河航天科技有限公司", "C3741", "aerospace", "medium", "北区", "2019-01-08", "140", "22"],
        # line 7: valid
        [uscc("91320500MA1N0A0B6"), "苏州锦绣纺织有限公司", "C1713", "textiles", "micro", "东区", "2020/7/1", "9", "3.2"],
        # line 8: negative employees
        [uscc("91320500MA1N0A0B7"), "苏州明光建材有限公司", "C3021", "building_materials", "small", "西区", "2016-04-20", "-5", "18"],
        # line 9: valid
        [uscc("91320500MA1N0A0B8"), "苏州瑞丰有色金属有限公司", "C3251", "nonferrous", "medium", "南区", "2011-11-11", "260", "60"],
        # line 10: bad date and an unknown scale: two problems on one row
        [uscc("91320500MA1N0A0B9"), "苏州新城轻工有限公司", "C2231", "light_industry", "huge", "北区", "2019-13-45", "77", "12"],
        # line 11: valid
        [uscc("91320500MA1N0A0C0"), "苏州园区综合服务有限公司", "C4190", "other", "small", "东区", "20180301", "40", "5"],
    ]
    header = ["统一社会信用代码", "企业名称", "所属行业", "重点行业", "企业规模", "所在片区", "成立日期", "从业人员", "用地面积（亩）"]
    text = "\r\n".join(",".join(csv_field(f) for f in row) for row in [header] + rows) + "\r\n"
    (HERE / "enterprises_gbk.csv").write_bytes(text.encode("gbk"))
    print("enterprises_gbk.csv: wrong check digit on line 4, expected", check_char("91320500MA1N0A0B3"))


def energy_nested() -> None:
    """9 records: 6 valid, 3 rejected (missing unit, malformed line, unit mismatch)."""
    a = uscc("91320500MA1N0A0B1")
    b = uscc("91320500MA1N0A0B2")
    records = [
        # 1: valid; nested object ignored; tce computed (1200.5 kWh * 0.1229 kgce/kWh)
        {"uscc": a, "meter_id": "E-1", "ts": "2025-01-15 08:00:00", "energy_type": "electricity", "value": 1200.5, "unit": "kWh",
         "meter": {"model": "DTZ-341", "vendor": {"name": "正泰", "country": "CN"}}},
        # 2: valid; tce given
        {"uscc": a, "meter_id": "G-1", "ts": "2025-01-15 08:00:00", "energy_type": "natural_gas", "value": 400, "unit": "m3", "tce": 0.5},
        # 3: valid; water carries no tce
        {"uscc": a, "meter_id": "W-1", "ts": "2025-01-15 08:00:00", "energy_type": "water", "value": 35.2, "unit": "m3"},
        # 4: missing unit (required)
        {"uscc": b, "meter_id": "E-2", "ts": "2025-01-15 08:00:00", "energy_type": "electricity", "value": 800},
        None,  # 5: a malformed line
        # 6: valid; tonnes of steam
        {"uscc": b, "meter_id": "S-1", "ts": "2025-01-15 08:15:00", "energy_type": "steam", "value": 2.5, "unit": "t",
         "meter": {"model": "LUGB", "vendor": {"name": "川仪"}}},
        # 7: electricity in m3: unit mismatch
        {"uscc": b, "meter_id": "E-3", "ts": "2025-01-15 08:15:00", "energy_type": "electricity", "value": 10, "unit": "m3"},
        # 8: valid; RFC 3339 time
        {"uscc": b, "meter_id": "E-2", "ts": "2025-01-15T00:30:00Z", "energy_type": "electricity", "value": 512, "unit": "kWh"},
        # 9: valid
        {"uscc": a, "meter_id": "E-1", "ts": "2025-01-15 08:15:00", "energy_type": "electricity", "value": 1100, "unit": "kWh"},
    ]
    lines = []
    for record in records:
        if record is None:
            lines.append('{"uscc": "%s", "meter_id": "E-9", "value": 12' % a)
        else:
            lines.append(json.dumps(record, ensure_ascii=False))
    (HERE / "energy_nested.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")


def production_parquet() -> None:
    """8 rows: 5 valid, 3 rejected (check digit, negative output, duplicate key)."""
    codes = [uscc("91320500MA1N0A0B1"), uscc("91320500MA1N0A0B2"), uscc("91320500MA1N0A0B4")]
    jan, feb = datetime.date(2025, 1, 1), datetime.date(2025, 2, 1)
    rows = [
        (codes[0], jan, 1200.0, 360.0, 1350.0, 95.5, 40.2, 35.0, 320),
        (codes[0], feb, 1100.0, 330.0, 1240.0, 80.0, 38.0, 30.0, 318),
        (codes[1], jan, 5200.0, 1300.0, 5600.0, 210.0, 160.0, 90.0, 1250),
        (codes[1], feb, 4900.0, 1225.0, 5300.0, 180.0, 150.0, 85.0, 1240),
        (codes[2], jan, 300.0, 90.0, 310.0, -12.5, 6.0, None, 41),  # a loss is allowed
        (wrong_check("91320500MA1N0A0B9"), jan, 700.0, 210.0, 720.0, 20.0, 11.0, 4.0, 77),
        (codes[2], feb, -300.0, 90.0, 310.0, 5.0, 6.0, 1.0, 41),  # negative output
        (codes[0], jan, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1),  # same key as row 1
    ]
    columns = list(zip(*rows))
    table = pa.table(
        {
            "uscc": pa.array(columns[0], pa.string()),
            "period": pa.array(columns[1], pa.date32()),
            "output_value": pa.array(columns[2], pa.float64()),
            "added_value": pa.array(columns[3], pa.float64()),
            "revenue": pa.array(columns[4], pa.float64()),
            "profit": pa.array(columns[5], pa.float64()),
            "tax": pa.array(columns[6], pa.float64()),
            "rd_expense": pa.array(columns[7], pa.float64()),
            "employees": pa.array(columns[8], pa.int64()),
        }
    )
    pq.write_table(table, HERE / "production.parquet", compression="snappy")


def mixed_good_bad() -> None:
    """20 rows for production_monthly: 14 valid, 6 rejected."""
    header = ["统一社会信用代码", "统计期", "工业总产值", "工业增加值", "营业收入（元）", "利润总额", "税金", "从业人员"]
    base = "91320500MA1N0B0"
    good = [uscc(f"{base}{i:02d}") for i in range(14)]
    rows = []
    for i, code in enumerate(good):
        month = i % 2 + 1
        period = f"2025年{month}月" if i % 3 == 0 else f"2025-{month:02d}"
        # 营业收入 in yuan: 1,234,567 yuan is 123.4567 (10k yuan) for the first row
        revenue = "1234567" if i == 0 else str(1_000_000 + i * 10_000)
        rows.append([code, period, str(100 + i), str(30 + i), revenue, str(5 + i), str(2 + i), str(10 + i)])
    # Each of the 14 codes once per row above (two codes per enterprise would collide otherwise).
    bad = [
        [wrong_check(f"{base}50"), "2025-01", "100", "30", "1000000", "5", "2", "10"],  # check digit
        [uscc(f"{base}51"), "2025-01", "N/A", "30", "1000000", "5", "2", "10"],  # not a number
        [uscc(f"{base}52"), "2025-13", "100", "30", "1000000", "5", "2", "10"],  # not a month
        ["", "2025-01", "100", "30", "1000000", "5", "2", "10"],  # uscc missing
        [uscc(f"{base}53"), "2025-01", "100", "30", "1000000", "5", "-2", "10"],  # negative tax
        ["9132050012345", "2025-01", "100", "30", "1000000", "5", "2", "10"],  # too short
    ]
    # Interleave: a bad row after every few good ones.
    out = []
    for i, row in enumerate(rows):
        out.append(row)
        if i % 2 == 1 and bad:
            out.append(bad.pop(0))
    out.extend(bad)
    text = "\n".join(",".join(r) for r in [header] + out) + "\n"
    (HERE / "mixed_good_bad.csv").write_text(text, encoding="utf-8")
    lines = [i + 2 for i, r in enumerate(out) if r not in rows]
    print("mixed_good_bad.csv: bad rows on lines", lines)


if __name__ == "__main__":
    enterprises_gbk()
    energy_nested()
    production_parquet()
    mixed_good_bad()
