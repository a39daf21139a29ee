"""Sentences long and plain enough that cleaning keeps them as they are (shared by reader tests)."""

SENTENCES = [
    "The Russian Security Council discussed the development of the Arctic zone at a meeting chaired by the president on Friday.",
    "Officials said new investment in ports and icebreakers would be needed to keep the Northern Sea Route open all year.",
    "The Norwegian government announced on Monday that it would double its funding for research stations on Svalbard.",
    "Chinese shipping companies have sent more cargo vessels through the Arctic this summer than in any previous year, the ministry said.",
    "Canada will upgrade its northern radar network over the next decade, the defence minister told reporters in Ottawa.",
    "Finland has ordered two new icebreakers from a shipyard in Helsinki, according to a statement from the transport agency.",
    "Greenland's parliament opened a debate on a new mining law that would tighten environmental rules, local media reported.",
    "The coast guard said it had increased patrols in the Barents Sea after several incidents involving fishing vessels.",
]
