package aggregates

import "github.com/erasmus-ledger/grants/aggregates/rates"

func ratesInput(code string) rates.MobilityInput {
	m := mobilityOf(code, 2)
	return rates.MobilityInput{Activity: code, Start: m.StartDate.Time(), End: m.EndDate.Time(), DestinationCountry: m.ReceivingCountry, Persons: 1}
}
