package colours

type Colour string

const (
	Red  Colour = "red"
	Blue Colour = `blue`
)

const Other = "other"

const Green, Grey Colour = "green", "grey"
