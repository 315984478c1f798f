"""The queue's tabs and sort choices read in English for a reader who chose English."""

from . import browse_as


def test_queue_tabs_and_sorts_are_in_english(app, world):
    client = browse_as(app, "staff")
    client.post("/auth/language", data={"locale": "en", "next": "/queue"})
    page = client.get("/queue").get_data(as_text=True)
    for english in ("Waiting for acceptance", "Mediating", "Return visits due", "Petitions in hand", "By registration date"):
        assert english in page, english
    for chinese in ("待受理", "待回访", "信访办理中", "按登记日期"):
        assert chinese not in page, chinese
