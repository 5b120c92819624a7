package rates

import "testing"

func TestDistanceKm(t *testing.T) {
	cases := []struct {
		name                   string
		lat1, lon1, lat2, lon2 float64
		min, max               int
	}{
		{"same point is 0 km", 60.1699, 24.9384, 60.1699, 24.9384, 0, 0},
		{"Helsinki-Tallinn about 82 km", 60.1699, 24.9384, 59.4370, 24.7536, 81, 83},
		{"Helsinki-Brussels about 1650 km", 60.1699, 24.9384, 50.8503, 4.3517, 1640, 1660},
		{"quarter meridian is 10008 km", 0, 0, 90, 0, 10007, 10008},
		{"antipodes is half the circumference", 0, 0, 0, 180, 20015, 20016},
	}
	for _, tc := range cases {
		t.Run("BUD-TRAVEL-BAND/"+tc.name, func(t *testing.T) {
			got := DistanceKm(tc.lat1, tc.lon1, tc.lat2, tc.lon2)
			if got < tc.min || got > tc.max {
				t.Fatalf("got %d km, want %d-%d", got, tc.min, tc.max)
			}
			if back := DistanceKm(tc.lat2, tc.lon2, tc.lat1, tc.lon1); back != got {
				t.Fatalf("not symmetric: %d vs %d", got, back)
			}
		})
	}
}
