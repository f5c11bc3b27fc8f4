"""Original sample content for the demo site, written for this project.

Every person, institution and event here is invented. Slugs are fixed so
``load_demo`` can recognise what it already created.
"""

SECTIONS = [
    {"slug": "world", "name": "World", "description": "Foreign news from our correspondents."},
    {"slug": "politics", "name": "Politics", "description": "Parliament, parties and power."},
    {"slug": "business", "name": "Business", "description": "Markets, companies and work."},
    {"slug": "science", "name": "Science", "description": "Research, climate and health."},
]

AUTHORS = [
    {
        "slug": "maria-lindqvist",
        "name": "Maria Lindqvist",
        "role": "Senior correspondent, Northern Europe",
        "bio": "Maria has reported from the Nordic and Baltic capitals for twelve years.",
    },
    {
        "slug": "tomas-okafor",
        "name": "Tomás Okafor",
        "role": "Political editor",
        "bio": "Tomás covers parliament and the parties.",
    },
    {
        "slug": "hannah-reyes",
        "name": "Hannah Reyes",
        "role": "Business reporter",
        "bio": "Hannah writes about ports, shipping and the companies that move goods.",
    },
    {
        "slug": "idris-campbell",
        "name": "Idris Campbell",
        "role": "Science correspondent",
        "bio": "Idris covers climate research and public health.",
    },
]

EXPERTS = [
    {
        "slug": "elias-varga",
        "name": "Elias Varga",
        "title": "researcher in international affairs",
        "affiliation": "Institute for Baltic Studies",
        "bio": "Elias studies security co-operation around the Baltic Sea.",
    },
    {
        "slug": "noor-haddad",
        "name": "Noor Haddad",
        "title": "professor of economics",
        "affiliation": "University of Eastmoor",
        "bio": "Noor researches trade flows and inflation.",
    },
    {
        "slug": "grace-whitlow",
        "name": "Grace Whitlow",
        "title": "climate scientist",
        "affiliation": "Coastal Research Centre",
        "bio": "Grace models sea-level rise on northern coasts.",
    },
]


def _paragraphs(*texts):
    return "".join(f"<p>{text}</p>" for text in texts)


# hours_ago: how long before the demo is loaded the story was published.
ARTICLES = [
    {
        "slug": "northern-summit-leaves-questions-on-baltic-security",
        "headline": "Northern summit leaves open questions on Baltic security",
        "dek": "Leaders promised closer co-operation in Helsinki, but an outside researcher "
        "says the hard decisions have been postponed.",
        "section": "world",
        "authors": ["maria-lindqvist"],
        "hours_ago": 3,
        "tags": ["Finland", "Baltic Sea", "President Aino Salo", "Security"],
        "body": "<p>The heads of government of six northern countries ended two days of talks in "
        "Helsinki on Monday with a joint statement on maritime security, energy cables and "
        "civil defence.</p>"
        "<h2>What the president said</h2>"
        + _paragraphs(
            "At a press conference in the presidential palace, President Aino Salo said the "
            "meeting had shown that the region could act together. “We have agreed to share "
            "what our coastguards see, hour by hour,” she told reporters.",
            "She added that a permanent secretariat would be set up before the end of the year, "
            "although she declined to say where it would be based.",
        )
        + "<h2>An expert’s view</h2>"
        + _paragraphs(
            "Elias Varga, a researcher in international affairs at the Institute for Baltic "
            "Studies, confirmed that the statement went further than earlier summits on the "
            "exchange of surveillance data.",
            "He added, however, that the leaders had left the question of funding to their "
            "finance ministers.",
        )
        + "<h2>What comes next</h2>"
        + _paragraphs(
            "Varga expects the secretariat to be the real test. Without a budget, he said, "
            "the promise of hour-by-hour sharing would remain on paper.",
            "The next meeting is planned for the spring in Tallinn.",
        ),
        "quotes": [
            {
                "expert": "elias-varga",
                "kind": "paraphrase",
                "text": "The statement goes further than earlier summits on sharing surveillance "
                "data.",
                "context": "speaking after the summit in Helsinki",
            },
            {
                "expert": "elias-varga",
                "kind": "direct",
                "text": "The leaders have left the hardest question, who pays, to their finance "
                "ministers.",
                "context": "speaking after the summit in Helsinki",
            },
            {
                "expert": "elias-varga",
                "kind": "direct",
                "text": "Without a budget, hour-by-hour sharing stays on paper. The secretariat "
                "will be the real test.",
                "context": "on the summit's follow-up",
            },
        ],
    },
    {
        "slug": "budget-vote-delayed-after-late-night-talks",
        "headline": "Budget vote delayed after late-night talks",
        "dek": "The coalition needs another week to agree on spending for hospitals.",
        "section": "politics",
        "authors": ["tomas-okafor"],
        "hours_ago": 20,
        "tags": ["Budget", "Parliament"],
        "body": _paragraphs(
            "The vote on next year's budget has been postponed by a week after coalition "
            "partners failed to agree on hospital spending in talks that ran past midnight.",
            "The finance minister said the delay was “a matter of days, not a crisis”.",
        )
        + "<h2>Where the parties differ</h2>"
        + _paragraphs(
            "The smaller partner wants an extra allocation for regional hospitals; the larger "
            "one says the money must come from savings elsewhere.",
        ),
        "quotes": [],
    },
    {
        "slug": "port-volumes-recover-as-shipping-costs-fall",
        "headline": "Port volumes recover as shipping costs fall",
        "dek": "Container traffic is back to its level of two years ago.",
        "section": "business",
        "authors": ["hannah-reyes"],
        "hours_ago": 30,
        "tags": ["Shipping", "Trade"],
        "body": _paragraphs(
            "Container traffic through the country's three largest ports rose for the fourth "
            "month in a row, according to figures published on Tuesday.",
        )
        + "<h2>Cheaper freight</h2>"
        + _paragraphs(
            "The cost of shipping a container from East Asia has fallen by a third since the "
            "spring, which importers say has allowed them to rebuild stocks.",
        ),
        "quotes": [
            {
                "expert": "noor-haddad",
                "kind": "direct",
                "text": "Cheaper freight feeds through to shop prices within six months.",
                "context": "in an interview",
            }
        ],
    },
]
