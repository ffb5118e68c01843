package kms

import (
	"errors"
	"slices"
	"strings"
)

// Regions. As in AWS, keys, aliases, grants, custom key stores and the
// indexes that serve them belong to the region they were made in: a
// request sees only its own region's. Each regional bucket of the vault
// exists once per region, named by regional. The default region keeps the
// plain bucket names, so a vault written before regions existed reads
// unchanged: its keys are the default region's.
//
// Work that is not driven by one request (purging expired deletions,
// expiring imported material) needs every region that holds records; the
// config record "regions" lists them, written when a region other than the
// default one gets its first record.

// regionsRecord is the id, in bucketConfig, of the list of regions in use.
const regionsRecord = "regions"

type regionList struct {
	Regions []string `json:"regions"`
}

// regionalName is the name of a regional bucket (or config record) base
// for region: base itself for the default region, base@region otherwise.
func regionalName(region, base string) string {
	if region == "" || region == DefaultRegion {
		return base
	}
	return base + "@" + region
}

// regional returns the vault bucket of base ("keys", "aliases",
// "deletions", "expiries", "grants", ...) for the transaction's region.
// Every access to a regional bucket goes through it.
func (t *txn) regional(base string) string { return regionalName(t.region, base) }

// regions lists the regions that hold records: the default region first,
// then the others in the order they were first used.
func (t *txn) regions() ([]string, error) {
	var l regionList
	if err := getJSON(t, bucketConfig, regionsRecord, &l); err != nil && !errors.Is(err, ErrNoRecord) {
		return nil, err
	}
	return append([]string{DefaultRegion}, l.Regions...), nil
}

// noteRegion adds the transaction's region to the list of regions in use,
// before its first record is written.
func (t *txn) noteRegion() error {
	if t.region == DefaultRegion || t.regionNoted {
		return nil
	}
	var l regionList
	if err := getJSON(t, bucketConfig, regionsRecord, &l); err != nil && !errors.Is(err, ErrNoRecord) {
		return err
	}
	if !slices.Contains(l.Regions, t.region) {
		l.Regions = append(l.Regions, t.region)
		if err := putJSON(t, bucketConfig, regionsRecord, l); err != nil {
			return err
		}
	}
	t.regionNoted = true
	return nil
}

// inRegion runs fn with the transaction switched to region: every regional
// bucket, ARN and message then belongs to that region.
func (t *txn) inRegion(region string, fn func() error) error {
	old, noted := t.region, t.regionNoted
	t.region, t.regionNoted = region, false
	defer func() { t.region, t.regionNoted = old, noted }()
	return fn()
}

// eachRegion runs fn in every region that holds records.
func (t *txn) eachRegion(fn func() error) error {
	regions, err := t.regions()
	if err != nil {
		return err
	}
	for _, r := range regions {
		if err := t.inRegion(r, fn); err != nil {
			return err
		}
	}
	return nil
}

// regionOfArn returns the region field of an ARN ("" if it has none).
func regionOfArn(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 || parts[0] != "arn" {
		return ""
	}
	return parts[3]
}
