#!/usr/bin/env python3
"""Turns threads.txt into threads.jsonl in the import format of docs/import.md.

Authors and dates are made up deterministically so the file is stable between runs."""
import json
import sys

AUTHORS = ["lena-m", "sam_r", "quietfern", "bea_t", "oak-and-ash", "mo_k", "harbourlight", "jude88",
           "northwind", "pip_s", "ravi-d", "stillwater", "tess_o", "kestrel", "amaya-b", "lowtide"]


def main():
    threads, category = [], None
    for line in open("threads.txt", encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("## "):
            category = line[3:]
        elif line.startswith("T: "):
            threads.append({"category": category, "title": line[3:], "replies": []})
        elif line.startswith("B: "):
            threads[-1]["body"] = line[3:]
        elif line.startswith("R: "):
            threads[-1]["replies"].append({"body": line[3:]})
    with open("threads.jsonl", "w", encoding="utf-8") as out:
        for i, t in enumerate(threads):
            day = 1 + i % 28
            t["author"] = AUTHORS[i % len(AUTHORS)]
            t["created_at"] = f"2024-{1 + i % 12:02d}-{day:02d}T10:00:00Z"
            for j, r in enumerate(t["replies"]):
                r["author"] = AUTHORS[(i * 3 + j + 1) % len(AUTHORS)]
                r["created_at"] = f"2024-{1 + i % 12:02d}-{day:02d}T{11 + j:02d}:00:00Z"
            ordered = {k: t[k] for k in ("category", "title", "body", "author", "created_at", "replies")}
            out.write(json.dumps(ordered, ensure_ascii=False) + "\n")
    print(f"{len(threads)} threads", file=sys.stderr)


if __name__ == "__main__":
    main()
