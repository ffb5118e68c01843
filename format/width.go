package format

import "golang.org/x/text/width"

// textWidth is awscli's get_text_length: the number of code points, with
// East Asian Wide, Fullwidth and Ambiguous characters counting two columns.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth, width.EastAsianAmbiguous:
			n += 2
		default:
			n++
		}
	}
	return n
}
