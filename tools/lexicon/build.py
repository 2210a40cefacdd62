#!/usr/bin/env python3
"""Writes src/Engram.Core/Text/Lexicon/lexicon.v1.txt.gz, a compact synset graph derived from WordNet 3.0.

Usage: python3 tools/lexicon/build.py [--wordnet /usr/share/wordnet] [--out PATH]
Needs the WordNet 3.0 database files (Debian: wordnet-base). Standard library only; the output is
byte-for-byte the same on every run (sorted input, gzip without a name or a time). WordNet's licence
goes to WORDNET-LICENSE next to the output and into the output's opening comment lines.

Format (ASCII, one record a line, fields separated by tabs, lists inside a field by spaces):
  # comment lines (the first ones: where the data comes from and WordNet's licence)
  L <count>        then <count> lemma lines in code point (C# ordinal) order; a lemma's id is its position.
    lemma  senses    lemma: lower case, '_' written as ' '.
                     senses: synset ids, most frequent first across parts of speech, each with
                     ':<tag count>' when the sense was seen in the SemCor tagged texts.
  S <count>        then <count> synset lines; a synset's id is its position.
    pos  members  hypernyms  links
                     pos: n, v, a (adjectives and satellites) or r.
                     members: lemma ids in WordNet's order.
                     hypernyms: synset ids; an instance hypernym is written 'i<id>'.
                     links: '<member index>><lemma id>': derivationally related forms and
                     pertainyms of one member (both directions).
  E <count>        then <count> exception lines: pos  inflected form  base form [base form...]
"""

import argparse
import gzip
import io
import os
import sys

POS_FILES = [("n", "noun"), ("v", "verb"), ("a", "adj"), ("r", "adv")]
SENSE_KEY_POS = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}


def lemma_text(word):
    """WordNet's spelling of a word (video_game, Christian, long(a)) as the lexicon stores it."""
    paren = word.find("(")
    if paren >= 0:
        word = word[:paren]
    return word.replace("_", " ").lower()


def licence(wordnet):
    """The licence every WordNet data file opens with, without its line numbers."""
    lines = []
    with open(os.path.join(wordnet, "data.noun"), encoding="ascii") as f:
        for line in f:
            if not line.startswith("  "):
                break
            lines.append(line.strip().split(" ", 1)[1].rstrip() if " " in line.strip() else "")
    return "\n".join(lines).strip() + "\n"


def data_lines(path):
    with open(path, encoding="ascii") as f:
        for line in f:
            if not line.startswith("  "):
                yield line.rstrip("\n")


def read_synsets(wordnet):
    """(pos, offset) -> record, in id order: nouns, verbs, adjectives, adverbs, each by offset."""
    synsets = []
    for pos, name in POS_FILES:
        for line in data_lines(os.path.join(wordnet, "data." + name)):
            fields = line.split(" | ", 1)[0].split()
            offset = int(fields[0])
            count = int(fields[3], 16)
            words = [lemma_text(fields[4 + 2 * i]) for i in range(count)]
            i = 4 + 2 * count
            pointer_count = int(fields[i])
            pointers = []
            for p in range(pointer_count):
                symbol, target, target_pos, source_target = fields[i + 1 + 4 * p: i + 5 + 4 * p]
                target_pos = "a" if target_pos == "s" else target_pos
                pointers.append((symbol, target_pos, int(target), int(source_target[:2], 16), int(source_target[2:], 16)))
            synsets.append({"pos": pos, "offset": offset, "words": words, "pointers": pointers})
    return synsets


def read_tag_counts(wordnet):
    """(lemma, pos, sense number) -> how often that sense was tagged in SemCor."""
    counts = {}
    with open(os.path.join(wordnet, "cntlist.rev"), encoding="ascii") as f:
        for line in f:
            key, sense, count = line.split()
            lemma, rest = key.split("%", 1)
            index = (lemma_text(lemma), SENSE_KEY_POS[rest[0]], int(sense))
            counts[index] = max(counts.get(index, 0), int(count))
    return counts


def read_index(wordnet, ids, tag_counts):
    """lemma -> [(synset id, tag count)], most frequent first across parts of speech."""
    by_pos = {}
    for pos, name in POS_FILES:
        for line in data_lines(os.path.join(wordnet, "index." + name)):
            fields = line.split()
            lemma = lemma_text(fields[0])
            sense_count = int(fields[2])
            offsets = fields[-sense_count:]
            senses = [(ids[(pos, int(o))], tag_counts.get((lemma, pos, n + 1), 0)) for n, o in enumerate(offsets)]
            by_pos.setdefault(lemma, []).append(senses)
    index = {}
    for lemma, lists in by_pos.items():
        # A stable merge: each part of speech keeps WordNet's own sense order, and between them
        # the higher tag count goes first (ties: noun, verb, adjective, adverb).
        merged = []
        heads = [0] * len(lists)
        while True:
            best = -1
            for k, senses in enumerate(lists):
                if heads[k] < len(senses) and (best < 0 or senses[heads[k]][1] > lists[best][heads[best]][1]):
                    best = k
            if best < 0:
                break
            merged.append(lists[best][heads[best]])
            heads[best] += 1
        index[lemma] = merged
    return index


def read_exceptions(wordnet, index, synset_pos):
    """(pos, inflected form, base forms) whose base forms exist in that part of speech."""
    exceptions = []
    for pos, name in POS_FILES:
        with open(os.path.join(wordnet, name + ".exc"), encoding="ascii") as f:
            for line in f:
                fields = [lemma_text(w) for w in line.split()]
                inflected, bases = fields[0], []
                for base in fields[1:]:
                    if base != inflected and base not in bases and any(synset_pos[s] == pos for s, _ in index.get(base, [])):
                        bases.append(base)
                if bases:
                    exceptions.append((pos, inflected, bases))
    return sorted(exceptions)


def build(wordnet):
    synsets = read_synsets(wordnet)
    ids = {(s["pos"], s["offset"]): i for i, s in enumerate(synsets)}
    synset_pos = [s["pos"] for s in synsets]
    index = read_index(wordnet, ids, read_tag_counts(wordnet))
    lemmas = sorted(index)
    lemma_ids = {lemma: i for i, lemma in enumerate(lemmas)}
    for lemma in lemmas:
        if not lemma.isascii() or "\t" in lemma:
            sys.exit("unexpected lemma: " + repr(lemma))

    # Derivation (+) and pertainym (\) pointers join words, not synsets; each is kept on the source
    # word and, since pertainyms are stored one way only, mirrored on the target word.
    # A synset can list one lemma twice in different cases (Christian, christian): members are
    # distinct, and a pointer's word number becomes the index of its lemma among them.
    members = [list(dict.fromkeys(s["words"])) for s in synsets]
    links = [set() for _ in synsets]
    hypernyms = [[] for _ in synsets]
    for i, s in enumerate(synsets):
        for symbol, target_pos, target_offset, source, target in s["pointers"]:
            j = ids[(target_pos, target_offset)]
            if symbol == "@":
                hypernyms[i].append(str(j))
            elif symbol == "@i":
                hypernyms[i].append("i" + str(j))
            elif symbol in ("+", "\\") and source > 0 and target > 0:
                source_word, target_word = s["words"][source - 1], synsets[j]["words"][target - 1]
                if source_word != target_word:
                    links[i].add((members[i].index(source_word), lemma_ids[target_word]))
                    links[j].add((members[j].index(target_word), lemma_ids[source_word]))

    out = io.StringIO()
    out.write("# Engram lexicon v1, derived from WordNet 3.0 (Princeton University) by tools/lexicon/build.py.\n")
    for line in licence(wordnet).splitlines():
        out.write(("# " + line).rstrip() + "\n")
    out.write("L %d\n" % len(lemmas))
    for lemma in lemmas:
        senses = " ".join(str(s) + (":" + str(c) if c else "") for s, c in index[lemma])
        out.write(lemma + "\t" + senses + "\n")
    out.write("S %d\n" % len(synsets))
    for i, s in enumerate(synsets):
        member_text = " ".join(str(lemma_ids[w]) for w in members[i])
        link_text = " ".join("%d>%d" % link for link in sorted(links[i]))
        out.write("%s\t%s\t%s\t%s\n" % (s["pos"], member_text, " ".join(hypernyms[i]), link_text))
    exceptions = read_exceptions(wordnet, index, synset_pos)
    out.write("E %d\n" % len(exceptions))
    for pos, inflected, bases in exceptions:
        out.write(pos + "\t" + inflected + "\t" + "\t".join(bases) + "\n")
    return out.getvalue().encode("ascii")


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wordnet", default="/usr/share/wordnet")
    parser.add_argument("--out", default=os.path.join(root, "src", "Engram.Core", "Text", "Lexicon", "lexicon.v1.txt.gz"))
    args = parser.parse_args()
    text = build(args.wordnet)
    with open(os.path.join(os.path.dirname(args.out), "WORDNET-LICENSE"), "w", encoding="ascii", newline="\n") as f:
        f.write(licence(args.wordnet))
    with open(args.out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as z:
            z.write(text)
    print("%s: %d bytes (%d uncompressed)" % (args.out, os.path.getsize(args.out), len(text)))


if __name__ == "__main__":
    main()
