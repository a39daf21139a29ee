"""Cleaning: from a reader's paragraphs to the article body, recording every removal.

Each rule is a named predicate over one paragraph; a small amount of state
carries the two things a single paragraph cannot tell: a related-stories list
runs on under its heading, and after the end of the article (comment form,
report-an-error line, copyright) short fragments are page furniture.

Rules look at the shape of a paragraph (short, no sentence ending, a credit in
brackets, a stock phrase at its start), never at one site's strings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .records import RawDoc, Removal

# --- normalisation -----------------------------------------------------------

# "said.Meanwhile": a word of lower-case letters, a full stop (and maybe a
# closing quote), then a capitalised word with no space in between.
_JOINED = re.compile(r"(?<=[a-z]{2}[.!?])(?=[A-Z][a-z])|(?<=[a-z][.!?][”\"’])(?=[A-Z“\"][a-z])")


_DROP_INVISIBLE = {ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"}


def normalise(s: str) -> str:
    """NFC, one kind of space, no invisible characters; curly quotes are kept."""
    if not s.isascii():
        s = unicodedata.normalize("NFC", s).translate(_DROP_INVISIBLE)
    return " ".join(s.split())  # str.split() knows every Unicode space


# What every join contains: end punctuation (maybe a closing quote) right before a capital or quote.
# A search that begins with a character set is cheap; the lookbehinds of _JOINED are not.
_JOINED_HINT = re.compile(r"[.!?][”\"’]?[A-Z“\"]")


def split_joined(p: str) -> list[str]:
    """Split a paragraph where two were glued with no space; leave URLs and abbreviations alone."""
    if not _JOINED_HINT.search(p) or not _JOINED.search(p):
        return [p]
    parts: list[str] = []
    start = 0
    for m in _JOINED.finditer(p):
        i = m.start()
        word_start = p.rfind(" ", 0, i) + 1
        if "://" in p[word_start:i] or "www." in p[word_start:i] or "@" in p[word_start:i]:
            continue
        parts.append(p[start:i].strip())
        start = i
    parts.append(p[start:].strip())
    return [x for x in parts if x]


# --- paragraph rules ----------------------------------------------------------

_END_PUNCT = re.compile(r"[.!?…]['\"”’»)\]]*\s*$|[\"”»]\s*$")
_CREDIT_WORDS = (
    r"getty\s*images|afp|reuters|ap\s*photo|associated press|pool|xinhua|tass|ria\s*novosti|sputnik|"
    r"shutterstock|istock|alamy|epa|scanpix|ntb|ritzau|lehtikuva|tt\b|canadian press|vcg|imaginechina|"
    r"cfp|anadolu|bloomberg|via|photo|file|handout|courtesy|credit|kremlin\.ru|wikimedia|public domain"
)
# (rule, pattern, max length of the paragraph, words one of which the lower-cased paragraph must contain)
_RULES: list[tuple[str, re.Pattern[str], int, tuple[str, ...]]] = []


def _rule(name: str, pattern: str, max_len: int = 400, needs: tuple[str, ...] = ()) -> None:
    """Register a rule. An unanchored pattern scans the whole paragraph, so it names
    in ``needs`` the words every one of its alternatives contains: a plain substring
    test skips it on the body paragraphs that cannot match (most of them)."""
    _RULES.append((name, re.compile(pattern, re.I), max_len, needs))


# Photo captions and credits.
_rule("caption", r"^(in this|this|a|an)? ?(undated |pool |file |handout |aerial |screen ?grab |video )*"
      r"(photo|photograph|picture|image|screenshot|still|frame grab)s? (taken|provided|released|distributed|shows?|from|made|dated)\b", 600)
_rule("caption", r"^in this (\w+ ){0,3}(photo|photograph|picture|image|file|video)\b", 600)
_rule("caption", r"^(file )?(photo|photograph|picture|image|illustration|video|graphic|credit|photo credit|foto|pictured|top image|main image|cover image|featured image|illustrative image)s?\s*(:|/|\||—|-\s)", 250)
_rule("caption", r"\((photo|credit|image|file|pool)?[^()]{0,100}\b(" + _CREDIT_WORDS + r")\b[^()]{0,100}\)\s*$", 500)
_rule("caption", r"(^|\.\s|\s)(photo|photograph|foto|image|picture|illustration|credit|pictured)s?\s*(:|/|by)\s*\S[^.!?]{0,80}$", 300, needs=("photo", "foto", "image", "picture", "illustration", "credit"))
_rule("caption", r"^©\s*\S[^.!?]{0,120}$", 160)
_rule("caption", r"\b(file|archive|stock|illustrative|handout|pool|screenshot) (photo|image|picture|video)\.?$", 300, needs=("photo", "image", "picture", "video"))
_rule("caption", r"^\s*(\w+ ){0,6}/\s*(getty|afp|reuters|ap|epa|tass|sputnik|xinhua|ntb|scanpix|pool)\b[^.]{0,80}$", 160)

# Related-story headings and inline "Read more: ..." links.
_RELATED_HEAD = re.compile(
    r"^(related( (stories|articles|news|coverage|content|reading|links|posts|topics))?|read (more|also|next)|"
    r"see also|also read|more (on|from|about|in) [^.!?]{1,40}|more (stories|news|articles)|"
    r"you (may|might) (also )?(like|enjoy|be interested in)|recommended( (for you|stories|reading|articles))?|"
    r"(most )?(read|popular|viewed|shared)( (stories|articles|now|today))?|trending( now)?|top stories|latest( news| stories)?|"
    r"editor'?s picks|further reading|in (other|related) news|keep reading|other news)\b[^.!?]{0,40}?[:»›>…]*\s*$",
    re.I,
)
_rule("related", r"^(read (more|also)|related|also read|see also|more|watch|listen|further reading)\s*(:|»|›|\||—|–)\s*\S", 300)

# Page furniture after the article.
_rule("report_error", r"^(if you|do you|did you|have you|found|spotted|report|notice|submit|please|to report|see|seen)\b[^.!?]{0,40}"
      r"\b(an? |any )?(error|typo|mistake|inaccuracy|correction)s?\b", 200)
_rule("report_error", r"^click here\b[^.]{0,60}[!.]?$", 80)
_rule("comment_form", r"^(leave a (reply|comment|response)|post a comment|add (a |your )?comment|write a comment|"
      r"comments?( \(\d+\))?|\d+ (comments?|responses?|replies)|(show|view|load|read) (all )?(\d+ )?comments|"
      r"join the (conversation|discussion|debate)|(log|sign) ?in to (comment|reply|join)|be the first to comment|"
      r"cancel reply|submit( comment)?|post comment|(your )?(name|e-?mail|website|comment)\s*\*?|reply)\s*[:»]?$", 80)
_rule("comment_form", r"\byour e-?mail( address)? will not be (published|shown|displayed|shared)\b", 300, needs=("will not be",))
_rule("comment_form", r"\brequired fields are marked\b|\bsave my name, e-?mail\b|\bnotify me of (follow-up|new) (comments|posts)\b", 300, needs=("required fields", "save my name", "notify me"))
_rule("comment_notice", r"\bnetiquette\b", 600, needs=("netiquette",))
_rule("comment_notice", r"\b(comments?|comment section|discussion|comments area) (is|are|will be|may be) (strictly )?(pre-?)?moderated\b|\byour comments? (may|will) be (removed|deleted)\b", 400, needs=("moderated", "comment"))
_rule("comment_notice", r"\bby (submitting|posting) (your |a )?comments?\b|\bcomments? (will|may|are|must) be (pre-?)?moderated\b|"
      r"\b(does|do) not (endorse|necessarily reflect) (any of )?(the )?(views|opinions|comments)\b|\bcomments (are|have been) (closed|disabled)\b|\bcomments? (are|is) (pre-?)?moderated\b|"
      r"\bcommunity (guidelines|standards)\b.{0,80}\bcomment|\bcomment(ing)? (policy|guidelines|rules)\b", 600, needs=("comment", "not endorse", "not necessarily reflect"))
_rule("email_notice", r"\b(send|e-?mail|contact|write to|reach)\b[^.]{0,60}\b[\w.+-]+@[\w-]+\.[\w.]+\.?$", 200, needs=("@",))
_rule("email_notice", r"\be-?mail (address )?(will|shall) (not|never) be (published|shared|sold)\b|\bwe (will )?(never|not) share your e-?mail\b|"
      r"\b(send|e-?mail) (us )?(your )?(news )?tips? to\b|\bcontact (us|the (author|editor|newsroom)) at\b.{0,60}@", 250, needs=("mail", "tip", "@"))
_rule("share", r"^(share|share this( article| story| page| post)?|share on|click to share|tweet( this)?|e-?mail( this)?( article| story)?|"
      r"print( this)?( article| story| page)?|copy link|facebook|twitter|x|linkedin|whatsapp|telegram|reddit|vk|pinterest|"
      r"share via|share article)\b[\s\w|•·,/:()-]{0,100}$", 140)
_rule("share", r"\bshare (this|the) (story|article|post|page|video)\b", 120, needs=("share",))
_rule("share", r"^(follow|join|find|like|subscribe to) (us|our( official)? \w+ channel|\w+ on (telegram|twitter|x|facebook|instagram|youtube|vk|wechat|weibo|tiktok))\b", 220)
_rule("share", r"^follow [^.!?]{0,60}\bon (telegram|twitter|x|facebook|instagram|youtube|vk|wechat|weibo|tiktok|threads|bluesky)\b", 220)
_rule("newsletter", r"^newsletters?\s*[:»]?$", 30)
_rule("newsletter", r"^(subscribe|sign up|get (our|the)\b[^.!?]{0,60}\b(newsletter|briefing|digest|alerts)|don'?t miss (out|a story)|stay (informed|up to date|in the know)|"
      r"(want|like) (more|to get)\b[^.!?]{0,60}\b(newsletter|inbox|updates))\b", 300)
_rule("newsletter", r"\b(delivered|straight) to your inbox\b|\bsign up (for|to) (our|the)\b[^.!?]{0,60}\b(newsletter|briefing|digest|e-?mails?)\b|\bsubscribe (now|today|to (our|the) (newsletter|channel|podcast))\b", 300, needs=("inbox", "sign up", "subscribe"))
_rule("cookie", r"\b(we|this (web)?site|our (web)?site) uses? cookies\b|\bcookie (policy|settings|preferences|consent|notice)\b|\baccept (all )?cookies\b", 500, needs=("cookie",))
_rule("copyright", r"^(©|\(c\)|copyright\s*(©|\(c\)|\d{4}))", 300)
_rule("tags", r"^(tags?|topics?|keywords|filed under|categories|category|more about)\s*:", 300)
_rule("copyright", r"\ball rights reserved\b", 300, needs=("rights reserved",))
_rule("reprint", r"\b(reproduction|reprinting|republication|republishing|redistribution|reprint|copying)\b[^.]{0,100}\b(prohibited|permitted|allowed|forbidden|only with|is not allowed|without (prior )?(written )?permission)\b", 400, needs=("reproduc", "reprint", "republi", "redistribut", "copying"))
_rule("reprint", r"^this (article|story|piece|report|interview)( was| is)? (first |originally )?(published|appeared|posted|republished|reprinted)\b", 300)
_rule("reprint", r"^(originally|first) (published|appeared) (by|in|on|at)\b|\breprinted with permission\b|\brepublished (here )?with permission\b", 300, needs=("originally", "first", "with permission"))
_rule("credits", r"^\(?(reporting|writing|editing|additional reporting|compiled|translated|produced|edited) by\b[^.]{0,200}\)?\.?$", 300)
_rule("credits", r"^our (editorial )?(standards|principles|ethics)\s*:", 160)
_rule("credits", r"^(source\(s\)|source|sources|editor|editors|editing|author|reporter|responsible editor|chief editor|web editor|writer)\s*[:：|]\s*\S[^.!?]{0,120}(\|[^|]{0,60})*$", 200)
_rule("byline", r"^by\s+(\w+[\s.'-]*){1,5}(,\s*[\w\s]{1,40})?(\s*(\||—|–|-)\s*[\w\s,.:]{0,60})?$", 100)
_rule("advert", r"^(advertisement|advert|sponsored( content)?|ad|promoted( content)?|scroll to continue( with content)?|continue reading( below)?|story continues below( advertisement)?)$", 60)
_rule("date_line", r"^((mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?((\d{1,2}\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(\d{1,2},?\s+)?\d{4}|\d{4}-\d{2}-\d{2})"
      r"(\s*[,|]?\s*\d{1,2}:\d{2}(\s*[ap]\.?m\.?)?(\s*[A-Z]{2,5})?)?\.?$", 60)
_rule("date_line", r"^((first |last )?(published|updated|posted|modified|created)( on| at)?:?\s*[\w.,:/+ -]{4,50}?\s*){1,2}$", 120)
_rule("disclaimer", r"\b(the )?views (and opinions )?expressed (in this|here|are)\b[^.]{0,160}\b(author|writer|contributor)s?\b", 500, needs=("expressed",))
_rule("footnotes", r"^(notes|endnotes|footnotes|references|sources and notes)\s*:?$", 30)
_rule("footnotes", r"↩\s*$", 800, needs=("↩",))
_rule("end_marker", r"^(enditem|end item|\(end\)|-+\s*end\s*-+|#{3}|\*{3}|ends)$", 20)
_rule("navigation", r"^(home|menu|search|skip to (main )?content|back to top|top of page|next article|previous article|next|previous|more|close|open|toggle navigation)\s*[›»>|]?$", 40)

# A fragment after the end of the article: short and not a sentence.
_TAIL_TRIGGERS = {"report_error", "comment_form", "comment_notice", "copyright", "cookie"}


def _match_rule(p: str, prefilter: bool = True) -> str | None:
    low = p.lower() if prefilter else ""
    n = len(p)
    for name, pat, max_len, needs in _RULES:
        if n > max_len or (prefilter and needs and not any(w in low for w in needs)):
            continue
        if pat.search(p):
            return name
    return None


def _headline_like(p: str) -> bool:
    """A line of a link list: no sentence ending, not long, not a quotation."""
    return len(p) <= 260 and not _END_PUNCT.search(p) and not p.startswith(("“", '"'))


_CREDIT_ONLY = re.compile(
    r"^((photo|photograph|picture|image|illustration|credit|photo credit|foto)s?\s*(:|/|by)|©|\(c\)\s)|\((photo|credit|image)?[^()]{0,100}\)\s*$", re.I
)
_REPORTING = re.compile(r"\b(said|says|say|told|tells|according|reported|reports|announced|added|stated|warned|noted|argued)\b|[“”\"«»]", re.I)


def _caption_like(p: str) -> bool:
    """Short, no quotation, no reporting verb, at most two sentences: what a caption looks like."""
    return len(p) <= 240 and not _REPORTING.search(p) and len(re.findall(r"[.!?](\s|$)", p)) <= 2 and not p.endswith(":")


class _KeepAlnum(dict):
    """A ``str.translate`` table that keeps letters and digits and drops the rest, filled as characters appear."""

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        self[code] = kept = ch if ch.isalnum() else None
        return kept


_KEEP_ALNUM = _KeepAlnum()


def _key(p: str) -> str:
    """A paragraph's identity for duplicate and title checks: its letters and digits, case-folded."""
    return p.casefold().translate(_KEEP_ALNUM)


@dataclass(slots=True)
class Cleaned:
    title: str | None
    paragraphs: list[str]
    removed: list[Removal]


def clean(doc: RawDoc) -> Cleaned:
    """The clean body of a raw document, with every removal and the rule behind it."""
    title = normalise(doc.title) if doc.title else None
    raw_paras = doc.paragraphs if doc.paragraphs is not None else (doc.text or "").split("\n")
    removed: list[Removal] = list(doc.pre_removed)
    paras: list[str] = []
    for rp in raw_paras:
        p = normalise(rp)
        if p:
            paras.extend(split_joined(p))

    kept: list[str] = []
    seen: set[str] = set()
    in_related = False
    after_end = False
    kept_last = False
    title_key = _key(title) if title else None
    for p in paras:
        rule: str | None = None
        if _RELATED_HEAD.match(p) and len(p) <= 120:
            rule, in_related = "related", True
        else:
            rule = _match_rule(p)
            if rule is None and in_related and _headline_like(p):
                rule = "related"
            elif rule not in (None, "related"):
                in_related = False
            elif rule is None:
                in_related = False
        if rule is None and after_end and len(p) < 160 and not _END_PUNCT.search(p):
            rule = "after_end"
        if rule is None and title_key and len(kept) <= 2 and _key(p) == title_key:
            rule = "title_repeat"
            # What stood above the repeated title is page header: a kicker ("Expert comment"), a section name.
            while kept and len(kept[-1]) <= 60 and not _END_PUNCT.search(kept[-1]):
                k = kept.pop()
                seen.discard(_key(k))
                removed.append(Removal(k, "kicker"))
        if rule is None:
            k = _key(p)
            if k and k in seen:
                rule = "duplicate"
            elif not k:
                rule = "no_text"
            else:
                seen.add(k)
        if rule is None:
            kept.append(p)
            kept_last = True
            continue
        if (
            rule == "caption" and kept and kept_last and _CREDIT_ONLY.search(p)
            and (len(kept) == 1 or len(kept[-1]) <= 120) and _caption_like(kept[-1])
        ):  # fmt: skip
            # A credit line ("Photo: Name") right after a short, unattributed line: that line is the caption.
            cap = kept.pop()
            seen.discard(_key(cap))
            removed.append(Removal(cap, "caption"))
        kept_last = False
        removed.append(Removal(p, rule))
        if kept and rule in _TAIL_TRIGGERS:
            after_end = True
    return Cleaned(title, kept, removed)
