package rates

import "math"

// earthRadiusKm is the mean Earth radius the Commission's distance
// calculator uses.
const earthRadiusKm = 6371.0

// DistanceKm returns the great-circle distance in whole km (rounded to the
// nearest km) between two points given in decimal degrees, by the
// haversine formula with R = 6371 km.
func DistanceKm(lat1, lon1, lat2, lon2 float64) int {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	c := 2 * math.Atan2(math.Sqrt(a), math.Sqrt(1-a))
	return int(math.Round(earthRadiusKm * c))
}
