#!/usr/bin/env python3
"""Writes catalog/relevance/judgements.tsv: graded relevance of the demo catalog for each query.

Relevance is judged from what each entry is about, as its own text says: its name, summary and
description (the demo's texts are written from the entry's scenarios, industries and
deployment, which the lake also holds in columns), never from any search engine's output.
Each query has an information need and a rubric (below, `need` and `grade`), applied to every
entry of the corpus:

    grade 3  exactly what the need asks for (e.g. the entry's main scenario is the one asked,
             in the industry asked),
    grade 2  clearly about it but not all of it (another industry, a secondary scenario),
    grade 1  touches it (mentions it, or is a provider that lists it among others).

An offering's or a provider's main scenario is the first of its `scenarios`; an application
has one. Usage:

    python3 catalog/relevance/judge.py --corpus DIR > catalog/relevance/judgements.tsv

where DIR holds service_providers.csv, service_offerings.csv and shared_applications.csv as
exported by `parkhub sql "SELECT * FROM <table>" --format csv` from `parkhub demo` (seed 42).
"""

import argparse
import csv
import os
import sys


def load(corpus):
    entries = []
    for table, key, kind in [
        ("service_offerings", "offering_id", "offering"),
        ("shared_applications", "app_id", "application"),
        ("service_providers", "provider_id", "provider"),
    ]:
        with open(os.path.join(corpus, f"{table}.csv"), encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                scenarios = [s for s in (row.get("scenarios") or "").split(";") if s]
                text = " ".join(
                    row.get(column) or ""
                    for column in ("name", "name_en", "summary", "description", "cases")
                )
                entries.append(
                    {
                        "id": row[key],
                        "kind": kind,
                        "name": row["name"],
                        "main": scenarios[0] if scenarios else "",
                        "scenarios": scenarios,
                        "industries": [i for i in (row.get("key_industries") or "").split(";") if i],
                        "deployment": row.get("deployment") or "",
                        "region": row.get("region") or "",
                        "text": text,
                        "head": " ".join(row.get(c) or "" for c in ("name", "name_en", "summary")),
                    }
                )
    return entries


# --- rubric helpers -------------------------------------------------------------------------

def main_is(entry, scenario):
    return entry["main"] == scenario


def lists(entry, scenario):
    return scenario in entry["scenarios"]


def says(entry, *words):
    return any(word in entry["text"] for word in words)


def scenario_need(scenario, *mention):
    """Main scenario 3, secondary 2, a mention of the words 1."""

    def grade(entry):
        if main_is(entry, scenario):
            return 3
        if lists(entry, scenario):
            return 2
        if mention and says(entry, *mention):
            return 1
        return 0

    return grade


def scenario_in_industry(scenario, industry):
    """Main scenario in the industry 3; main scenario elsewhere, or secondary in the
    industry, 2; secondary elsewhere 1."""

    def grade(entry):
        in_industry = industry in entry["industries"]
        if main_is(entry, scenario):
            return 3 if in_industry else 2
        if lists(entry, scenario):
            return 2 if in_industry else 1
        return 0

    return grade


def scenario_with_words(scenario, words, fallback_words=()):
    """Main scenario and mentions the specific words 3; main scenario 2; mentions the words
    (or the fallback words) 1."""

    def grade(entry):
        specific = says(entry, *words)
        if main_is(entry, scenario):
            return 3 if specific else 2
        if specific or (fallback_words and says(entry, *fallback_words)):
            return 1
        return 0

    return grade


def equipment_need(words, industry):
    """Entries whose text names the equipment or process 3 (offerings and applications) or 2
    (providers); other entries of its industry 1."""

    def grade(entry):
        if says(entry, *words):
            return 3 if entry["kind"] != "provider" else 2
        if industry in entry["industries"] and entry["kind"] != "provider":
            return 1
        return 0

    return grade


def provider_need(scenario, region=None, descriptor_words=()):
    """Providers whose main scenario it is (in the region, when asked) 3; providers that list
    it 2; offerings and applications of the scenario 1."""

    def grade(entry):
        if entry["kind"] == "provider":
            in_region = region is None or region in entry["region"]
            specialist = main_is(entry, scenario) or (
                descriptor_words and says(entry, *descriptor_words) and lists(entry, scenario)
            )
            if specialist and in_region:
                return 3
            if lists(entry, scenario):
                return 2
            return 0
        return 1 if main_is(entry, scenario) else 0

    return grade


def deployment_need(scenario, deployment):
    def grade(entry):
        if main_is(entry, scenario):
            return 3 if entry["deployment"] == deployment else 2
        if lists(entry, scenario):
            return 1
        return 0

    return grade


# --- the queries ----------------------------------------------------------------------------

PM = "predictive_maintenance"
EM = "energy_management"
QI = "quality_inspection"
EN = "equipment_networking"
PO = "process_optimization"

QUERIES = [
    # Chinese, short
    ("预测性维护", "zh", scenario_need(PM, "预测性维护")),
    ("能耗监测", "zh", scenario_need(EM, "能耗监测", "能耗")),
    ("数字孪生", "zh", scenario_need("digital_twin", "数字孪生")),
    ("机器视觉缺陷检测", "zh", scenario_need(QI, "视觉", "缺陷")),
    ("智能排产", "zh", scenario_need("aps", "排产")),
    ("碳足迹", "zh", scenario_with_words("carbon", ["碳足迹"], ["碳排放"])),
    ("安全生产", "zh", scenario_need("safety", "安全生产")),
    ("设备联网 数据采集", "zh", scenario_need(EN, "设备联网", "数据采集")),
    ("仓储管理系统", "zh", scenario_need("warehouse", "仓储")),
    ("供应链协同平台", "zh", scenario_need("supply_chain", "供应链")),
    ("工艺参数优化", "zh", scenario_need(PO, "工艺参数", "工艺优化")),
    ("研发设计软件", "zh", scenario_need("rd_design", "研发设计")),
    ("企业资源计划", "zh", scenario_need("erp", "ERP")),
    ("高炉", "zh", equipment_need(["高炉"], "iron_steel")),
    ("注塑机联网", "zh", scenario_with_words(EN, ["注塑"], ["注塑"])),
    ("钢铁行业能源管理", "zh", scenario_in_industry(EM, "iron_steel")),
    ("食品行业质量检测", "zh", scenario_in_industry(QI, "food")),
    ("振动监测与故障诊断", "zh", scenario_with_words(PM, ["振动", "故障诊断"])),
    ("空压站节能改造", "zh", scenario_with_words(EM, ["空压"], ["空压"])),
    ("危化品安全风险监测", "zh", scenario_with_words("safety", ["危化品", "危险源"])),
    ("节能服务商", "zh", provider_need(EM, descriptor_words=("节能服务",))),
    # Chinese, long (as enterprises write their needs)
    ("希望建立覆盖全厂的能耗监测体系，分车间计量电、气、蒸汽消耗，降低单位产品能耗", "zh",
     scenario_need(EM, "能耗监测")),
    ("设备故障多靠事后抢修，希望建立设备健康管理和预测性维护体系", "zh",
     scenario_need(PM, "预测性维护")),
    ("订单品种多插单频繁，人工排产耗时长，希望引入高级计划排程系统", "zh",
     scenario_need("aps", "排产", "排程")),
    # English
    ("predictive maintenance", "en", scenario_need(PM, "预测性维护")),
    ("energy monitoring", "en", scenario_need(EM, "能耗监测", "能耗")),
    ("digital twin factory", "en", scenario_need("digital_twin", "数字孪生")),
    ("machine vision defect detection", "en", scenario_need(QI, "视觉", "缺陷")),
    ("production scheduling", "en", scenario_need("aps", "排产")),
    ("carbon footprint", "en", scenario_with_words("carbon", ["碳足迹"], ["碳排放"])),
    ("warehouse management system", "en", scenario_need("warehouse", "仓储")),
    ("supply chain collaboration", "en", scenario_need("supply_chain", "供应链")),
    ("safety production management", "en", scenario_need("safety", "安全生产")),
    ("equipment networking and data acquisition", "en", scenario_need(EN, "设备联网", "数据采集")),
    ("process parameter optimization", "en", scenario_need(PO, "工艺参数", "工艺优化")),
    ("blast furnace", "en", equipment_need(["高炉"], "iron_steel")),
    ("vibration monitoring and fault diagnosis", "en", scenario_with_words(PM, ["振动", "故障诊断"])),
    ("energy saving service provider", "en", provider_need(EM, descriptor_words=("节能服务",))),
    ("ERP for the food industry", "en", scenario_in_industry("erp", "food")),
    # English with typos
    ("predictive maintenence", "en", scenario_need(PM, "预测性维护")),
    ("digitl twin", "en", scenario_need("digital_twin", "数字孪生")),
    ("energy monitorng", "en", scenario_need(EM, "能耗监测", "能耗")),
    ("warehose management", "en", scenario_need("warehouse", "仓储")),
    ("defect detction", "en", scenario_need(QI, "视觉", "缺陷")),
    # Mixed
    ("钢铁 predictive maintenance", "mixed", scenario_in_industry(PM, "iron_steel")),
    ("MES 注塑", "mixed", scenario_with_words("mes", ["注塑"], ["注塑"])),
    ("APS 排产", "mixed", scenario_need("aps", "排产", "APS")),
    ("textile 能耗监测", "mixed", scenario_in_industry(EM, "textiles")),
    ("AI 视觉质检", "mixed", scenario_need(QI, "视觉")),
    ("cement 碳排放核算", "mixed", scenario_in_industry("carbon", "building_materials")),
    ("PHM 设备健康", "mixed", scenario_need(PM, "设备健康")),
    ("SaaS 能源管理", "mixed", deployment_need(EM, "saas")),
    ("5G 工业互联网", "mixed", scenario_with_words(EN, ["5G"], ["工业互联网"])),
    ("AGV 厂内物流", "mixed", scenario_with_words("warehouse", ["AGV"], ["AGV"])),
    ("纺织印染 MES", "mixed", scenario_in_industry("mes", "textiles")),
    ("WMS 仓储", "mixed", scenario_need("warehouse", "WMS")),
    ("苏州 machine vision 服务商", "mixed", provider_need(QI, region="苏州")),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", required=True)
    arguments = parser.parse_args()
    entries = load(arguments.corpus)
    print("# Judged queries over the ParkHub demo catalog (seed 42): query, language, id:grade.")
    print("# Written by catalog/relevance/judge.py from the entries' text; see its rubrics.")
    for query, language, grade in QUERIES:
        graded = [(entry["id"], grade(entry)) for entry in entries]
        graded = [(id_, g) for id_, g in graded if g > 0]
        if not graded:
            sys.exit(f"no relevant entry for {query!r}")
        graded.sort(key=lambda item: (-item[1], item[0]))
        print(f"{query}\t{language}\t" + " ".join(f"{id_}:{g}" for id_, g in graded))


if __name__ == "__main__":
    main()
