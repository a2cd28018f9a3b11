"""One calendar of everything planned (placements, slot occurrences, key dates, campaign
windows), the campaign planner and the key-dates dashboard panel."""
