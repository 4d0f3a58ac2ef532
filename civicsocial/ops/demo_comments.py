"""What the live demo's residents and agencies say: city posts and the public's replies,
in the mix a city account really gets (thanks, questions, complaints, service requests
with a place, hazards, records requests, spam, the odd rude one). Demo data only: the
triage is measured on its own labelled sets, never on these."""

from __future__ import annotations

import random

PLACES = [
    "Atlantic Ave and Flatbush", "5th Ave and 23rd St", "Grand Concourse near 161st",
    "Queens Blvd and 63rd Dr", "Broadway and W 96th St", "Victory Blvd by the Staten Island Mall",
    "Nostrand Ave and Eastern Pkwy", "Roosevelt Ave under the 7 at 82nd St",
    "Lenox Ave and 125th St", "Ocean Pkwy and Ave J", "Hylan Blvd and Midland Ave",
    "Jamaica Ave at 168th St", "Fordham Rd and Webster Ave", "Myrtle Ave and Wyckoff",
    "120 Court St", "45 Lenox Ave", "2100 Ocean Pkwy", "88-10 Queens Blvd",
]
TOPICS = ["the bike lane plan", "the new schedule", "this program", "the budget", "the redesign",
          "the summer hours", "the pilot", "the closure"]

CITY_POSTS = [
    "Street resurfacing continues this week on {place}. Expect lane closures 7am-3pm.",
    "Outdoor pools open Saturday! Bring a lock and a white T-shirt. Hours and locations on our site.",
    "Reminder: alternate side parking is suspended tomorrow for the holiday.",
    "Cooling centers are open today across all five boroughs. Find the closest one on our site.",
    "We're hosting a public meeting about {topic} on Thursday at 6pm. Everyone is welcome.",
    "Collection schedules shift by one day this week. Put bins out the evening before.",
    "New protected bike lane on {place} is complete. Thank you for your patience during work.",
    "Free flu shots at neighborhood clinics this weekend, no appointment needed.",
    "Heat season is here: landlords must keep apartments at 68F during the day.",
    "Tree planting season starts next month. Request a street tree through our website.",
]

REPLIES = [
    # engagement
    "Thank you! This made my morning.",
    "Great work, the crews on {place} were fast and polite.",
    "Finally!! Been waiting for this all year.",
    "Love this. More of it please.",
    # questions
    "What time does this start on Saturday?",
    "Is this open to residents of every borough or just Manhattan?",
    "Do I need to register in advance for {topic}?",
    "Where can I find the full schedule? The link doesn't load for me.",
    # complaints (protected speech)
    "This is the third time this year and nothing changes. Do better.",
    "Whoever approved {topic} clearly never rides the bus.",
    "Your agency is a joke. Nobody answers the phone, ever.",
    "Terrible decision. You didn't listen to anyone at the meeting.",
    # service requests, with a place
    "Trash hasn't been picked up on {place} for two weeks. Can someone come?",
    "No heat in our building near {place} since Sunday. Kids are freezing.",
    "The streetlight on {place} has been out for a month.",
    "Someone keeps blocking my driveway near {place}. Who do I call?",
    "Rats everywhere by the playground at {place}, please send someone.",
    "Loud construction at 3am every night near {place}.",
    # dangerous conditions
    "Huge pothole on {place}, a cyclist almost went down this morning.",
    "There's a downed wire across the sidewalk on {place}. Please send someone now.",
    "The traffic signal at {place} is dark, cars are flying through.",
    "Open manhole cover on {place}, nothing around it.",
    "Scaffolding on {place} is swaying in the wind and the sidewalk is still open.",
    "Sheet of ice on the stairs at {place}, my neighbor slipped yesterday.",
    # records requests
    "Under FOIL I request all emails about {topic} from January to now.",
    "Can you publish the inspection reports for the building at {place}?",
    "I'd like a copy of the contract with the vendor for {topic}. How do I get it?",
    "Where is the dataset of complaints behind {topic}? Please share it.",
    # solicitation and spam
    "Make $500 a day from home!! DM me to learn how",
    "Cheap followers, real accounts, fast delivery. Link in bio.",
    # off topic and rude
    "Anyone know a good pizza place around {place}?",
    "What a bunch of clowns. Absolute garbage people.",
]


def city_post(rng: random.Random) -> str:
    """One city post, its place or topic filled in."""
    return rng.choice(CITY_POSTS).format(place=rng.choice(PLACES), topic=rng.choice(TOPICS))


def resident_reply(rng: random.Random) -> str:
    """One reply from a member of the public."""
    return rng.choice(REPLIES).format(place=rng.choice(PLACES), topic=rng.choice(TOPICS))
