package rates

import (
	"testing"
)

func BenchmarkCalculate(b *testing.B) {
	book, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	tab, _ := book.Year(2022)
	in := with(mob("SM-COUR-TRAIN", 18, "FI", 1200), func(m *MobilityInput) {
		m.Green, m.TravelDays, m.CourseFeeDays, m.RealTravelCostCents = true, 2, 10, 20000
	})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tab.Calculate(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAllYears(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadEmbedded(); err != nil {
			b.Fatal(err)
		}
	}
}
