package rates

// DistanceKm returns the great-circle distance in km (haversine, R=6371).
func DistanceKm(lat1, lon1, lat2, lon2 float64) int { return 0 }
