package vault

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// The page check walks a bbolt file's page structure from its meta pages,
// reading the file itself, before bbolt is allowed to walk it.
//
// bbolt trusts every number in the file: a page id, an element count, a
// key or value offset. A damaged file therefore makes it read outside its
// mapping (a memory fault, fatal in the goroutines bbolt's own consistency
// check and free-page scan run in), allocate what a count says (gigabytes),
// or follow a page that points back to itself forever. The check reads
// every reachable page once through the file, with each number checked
// before it is used, so it ends after at most one read of each page and
// holds at most about the file's size in memory. A file that passes has:
// both meta pages valid, with the newest one the transaction sees; every
// page of every bucket tree within the high-water mark, of the expected
// type, naming its own id, reached exactly once and not too deep; element
// counts, keys and values inside their page (or inline bucket); keys in
// strictly increasing order within each page and within the range its
// parent gives it; a freelist page whose ids are sorted, unique, in range
// and not in use; and no page that is neither in use nor free. Each of
// these is something bbolt itself guarantees for a file it wrote, so a
// sound vault never fails the check.

const (
	pageHeaderSize   = 16 // id u64, flags u16, count u16, overflow u32
	elemSize         = 16 // branch: pos, ksize u32, pgid u64; leaf: flags, pos, ksize, vsize u32
	bucketHeaderSize = 16 // root pgid u64, sequence u64
	metaSize         = 64 // magic, version, page size, flags u32; root bucket; freelist, pgid, txid, checksum u64
	metaChecksumAt   = 56

	pageBranch   = 0x01
	pageLeaf     = 0x02
	pageMeta     = 0x04
	pageFreelist = 0x10
	leafBucket   = 0x01

	boltMagic   = 0xED0CDAED
	boltVersion = 2
	noFreelist  = ^uint64(0)

	maxKeySize     = 32768 // bbolt's limit
	maxTreeDepth   = 64    // a B+tree of at least two children per branch: 2^64 pages
	maxBucketDepth = 16    // nested buckets; a vault uses two levels
	maxPageSize    = 1 << 16
	maxProblems    = 20
)

// pageCheck is one walk of one file. used, if set (tests), is told the
// file offset and length of every byte the structure uses.
type pageCheck struct {
	f        io.ReaderAt
	pageSize uint64
	hwm      uint64   // pages below it are in use or free
	seen     []uint64 // bitset over page ids: reached by the walk
	bufs     [][]byte // one reusable read buffer per recursion depth
	problems []string
	more     int  // problems beyond maxProblems
	metaOnly bool // walk the root bucket and the meta bucket only
	used     func(off, n uint64)
}

func (c *pageCheck) problem(format string, args ...any) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	} else {
		c.more++
	}
}

func (c *pageCheck) mark(off, n uint64) {
	if c.used != nil && n > 0 {
		c.used(off, n)
	}
}

// checkPages checks the page structure of the file at path against the
// read transaction tx that bbolt opened on it. It returns the problems
// found (at most maxProblems, the last one saying how many more), none for
// a sound file, or an error if the file cannot be read. With metaOnly it
// checks only the meta pages, the freelist page and the pages of the root
// and meta buckets: all that reading the header and key slots touches, and
// all that bbolt reads opening a file read-write and loading its freelist,
// at a cost independent of the records (whether a free page is in use
// cannot be known without reading them all).
func checkPages(path string, tx *bolt.Tx, metaOnly bool) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	r, unmap, err := mapFile(f, min(fi.Size(), tx.Size()))
	if err != nil {
		return nil, err
	}
	defer unmap()
	c := &pageCheck{f: r, metaOnly: metaOnly}
	root := tx.Cursor().Bucket().Root()
	c.run(uint64(fi.Size()), uint64(tx.DB().Info().PageSize), uint64(tx.ID()), uint64(tx.Size()), uint64(root))
	return c.result(), nil
}

func (c *pageCheck) result() []string {
	if c.more > 0 {
		return append(c.problems, fmt.Sprintf("and %d more problem(s)", c.more))
	}
	return c.problems
}

// meta is a decoded meta page.
type meta struct {
	pageSize, root, freelist, hwm, txid uint64
}

// readMetaPage decodes meta page i (0 or 1), or says what is wrong with it.
func (c *pageCheck) readMetaPage(i, pageSize uint64) (*meta, string) {
	var b [pageHeaderSize + metaSize]byte
	off := i * pageSize
	if _, err := c.f.ReadAt(b[:], int64(off)); err != nil {
		return nil, "cannot be read"
	}
	c.mark(off, uint64(len(b)))
	ne := binary.NativeEndian
	m := b[pageHeaderSize:]
	h := fnv.New64a()
	h.Write(m[:metaChecksumAt])
	switch {
	case ne.Uint32(m[0:]) != boltMagic:
		return nil, "has no bbolt magic number"
	case ne.Uint32(m[4:]) != boltVersion:
		return nil, "has another bbolt version"
	case ne.Uint64(m[metaChecksumAt:]) != h.Sum64():
		return nil, "fails its checksum"
	case ne.Uint16(b[8:]) != pageMeta || ne.Uint16(b[10:]) != 0 || ne.Uint32(b[12:]) != 0:
		return nil, "has a damaged page header"
	}
	md := &meta{
		pageSize: uint64(ne.Uint32(m[8:])),
		root:     ne.Uint64(m[16:]),
		freelist: ne.Uint64(m[32:]),
		hwm:      ne.Uint64(m[40:]),
		txid:     ne.Uint64(m[48:]),
	}
	if ne.Uint64(b[0:]) != md.txid%2 || ne.Uint64(b[0:]) != i {
		return nil, "has a damaged page header"
	}
	return md, ""
}

// run checks the file given what bbolt's transaction sees: the page size,
// transaction id, size in bytes and root bucket page.
func (c *pageCheck) run(fileSize, pageSize, txid, txSize, root uint64) {
	if pageSize < 1024 || pageSize > maxPageSize || pageSize&(pageSize-1) != 0 {
		c.problem("page size %d is not supported", pageSize)
		return
	}
	c.pageSize = pageSize
	var metas [2]*meta
	for i := range uint64(2) {
		var why string
		if metas[i], why = c.readMetaPage(i, pageSize); why != "" {
			c.problem("meta page %d %s", i, why)
		}
	}
	if metas[0] == nil || metas[1] == nil {
		return // bbolt would answer from the older transaction
	}
	m := metas[0]
	if metas[1].txid > m.txid {
		m = metas[1]
	}
	switch {
	case m.pageSize != pageSize:
		c.problem("the meta page gives page size %d, the file was opened with %d", m.pageSize, pageSize)
		return
	case m.txid != txid || m.root != root || m.hwm > fileSize/pageSize || m.hwm*pageSize != txSize:
		c.problem("the meta pages do not describe the transaction that was read (the file changed during the check)")
		return
	case m.hwm < 3 || m.root < 2 || m.root >= m.hwm:
		c.problem("the meta page's root page %d or high-water mark %d is out of range", m.root, m.hwm)
		return
	case m.freelist == noFreelist:
		// bbolt would rebuild the freelist by walking the file in a
		// goroutine of its own; pkms always stores it.
		c.problem("the file has no freelist page")
		return
	case m.freelist < 2 || m.freelist >= m.hwm:
		c.problem("the freelist page %d is out of range", m.freelist)
		return
	}
	c.hwm = m.hwm
	c.seen = make([]uint64, (m.hwm+63)/64)
	c.claim(0, 0)
	c.claim(1, 0)
	// The freelist page is checked even with metaOnly: bbolt reads it
	// whole on the first write, allocating what its count says.
	free := c.freelist(m.freelist)
	c.tree(m.root, nil, nil, 0, 0, 0)
	if c.metaOnly {
		return
	}
	for _, id := range free {
		if c.isSeen(id) {
			c.problem("page %d is both free and in use", id)
		}
		c.claim(id, 0)
	}
	unaccounted, first := 0, uint64(0)
	for id := uint64(2); id < c.hwm; id++ {
		if !c.isSeen(id) {
			if unaccounted == 0 {
				first = id
			}
			unaccounted++
		}
	}
	if unaccounted > 0 {
		c.problem("%d page(s) are neither in use nor free (the first is page %d)", unaccounted, first)
	}
}

func (c *pageCheck) isSeen(id uint64) bool { return c.seen[id/64]&(1<<(id%64)) != 0 }

// claim marks pages id..id+overflow as reached and reports whether none of
// them was reached before. The caller has checked the range.
func (c *pageCheck) claim(id, overflow uint64) bool {
	fresh := true
	for p := id; p <= id+overflow; p++ {
		if c.isSeen(p) {
			fresh = false
		}
		c.seen[p/64] |= 1 << (p % 64)
	}
	return fresh
}

// page reads page id (with its overflow pages) into the buffer of the
// given recursion depth, checking its header. It returns nil after
// reporting a problem.
func (c *pageCheck) page(id uint64, depth int, want func(flags uint16) bool) []byte {
	if id < 2 || id >= c.hwm {
		c.problem("page %d is beyond the high-water mark %d", id, c.hwm)
		return nil
	}
	for len(c.bufs) <= depth {
		c.bufs = append(c.bufs, make([]byte, c.pageSize))
	}
	hdr := c.bufs[depth][:c.pageSize]
	if _, err := c.f.ReadAt(hdr, int64(id*c.pageSize)); err != nil {
		c.problem("page %d cannot be read", id)
		return nil
	}
	ne := binary.NativeEndian
	flags, overflow := ne.Uint16(hdr[8:]), uint64(ne.Uint32(hdr[12:]))
	switch {
	case ne.Uint64(hdr[0:]) != id:
		c.problem("page %d names itself page %d", id, ne.Uint64(hdr[0:]))
		return nil
	case !want(flags):
		c.problem("page %d has unexpected type flags %#x", id, flags)
		return nil
	case overflow >= c.hwm-id:
		c.problem("page %d overflows past the high-water mark", id)
		return nil
	case !c.claim(id, overflow):
		c.problem("page %d is reached twice", id)
		return nil
	}
	buf := hdr
	if overflow > 0 {
		n := (overflow + 1) * c.pageSize
		if uint64(cap(c.bufs[depth])) < n {
			c.bufs[depth] = make([]byte, n)
		}
		buf = c.bufs[depth][:n]
		if _, err := c.f.ReadAt(buf, int64(id*c.pageSize)); err != nil {
			c.problem("page %d cannot be read", id)
			return nil
		}
	}
	c.mark(id*c.pageSize, pageHeaderSize)
	return buf
}

// freelist checks the freelist page and returns the free page ids.
func (c *pageCheck) freelist(id uint64) []uint64 {
	buf := c.page(id, 0, func(f uint16) bool { return f == pageFreelist })
	if buf == nil {
		return nil
	}
	ne := binary.NativeEndian
	start, count := uint64(pageHeaderSize), uint64(ne.Uint16(buf[10:]))
	if count == 0xFFFF {
		count = ne.Uint64(buf[pageHeaderSize:])
		start += 8
	}
	if count > (uint64(len(buf))-start)/8 {
		c.problem("freelist page %d claims %d ids, more than it holds", id, count)
		return nil
	}
	c.mark(id*c.pageSize+pageHeaderSize, start-pageHeaderSize+count*8)
	free := make([]uint64, 0, count)
	for i := range count {
		p := ne.Uint64(buf[start+8*i:])
		switch {
		case p < 2 || p >= c.hwm:
			c.problem("freelist page %d lists page %d, out of range", id, p)
			return nil
		case len(free) > 0 && p <= free[len(free)-1]:
			c.problem("freelist page %d is not sorted or lists a page twice", id)
			return nil
		}
		free = append(free, p)
	}
	return free
}

// tree checks the bucket tree whose page is id; every key in it must be in
// [lo, hi) (nil: unbounded). depth is the recursion depth (for buffers),
// treeDepth the level in this bucket's tree, buckets the nesting level.
func (c *pageCheck) tree(id uint64, lo, hi []byte, depth, treeDepth, buckets int) {
	if treeDepth > maxTreeDepth {
		c.problem("page %d is deeper than %d levels", id, maxTreeDepth)
		return
	}
	buf := c.page(id, depth, func(f uint16) bool { return f == pageBranch || f == pageLeaf })
	if buf == nil {
		return
	}
	base := id * c.pageSize
	if binary.NativeEndian.Uint16(buf[8:]) == pageLeaf {
		c.leaf(buf, base, fmt.Sprintf("page %d", id), lo, hi, depth, buckets)
		return
	}
	ne := binary.NativeEndian
	count := uint64(ne.Uint16(buf[10:]))
	if count == 0 || count > (uint64(len(buf))-pageHeaderSize)/elemSize {
		c.problem("branch page %d has a bad element count %d", id, count)
		return
	}
	c.mark(base+pageHeaderSize, count*elemSize)
	keys := make([][]byte, count)
	children := make([]uint64, count)
	for i := range count {
		at := pageHeaderSize + i*elemSize
		key, ok := c.slice(buf, base, at, uint64(ne.Uint32(buf[at:])), uint64(ne.Uint32(buf[at+4:])))
		if !ok || !c.ordered(key, lo, hi, keys, i) {
			c.problem("branch page %d: element %d's key is out of place or out of the page", id, i)
			return
		}
		keys[i], children[i] = key, ne.Uint64(buf[at+8:])
	}
	// The keys live in buf, which deeper calls do not touch.
	for i := range count {
		next := hi
		if i+1 < count {
			next = keys[i+1]
		}
		c.tree(children[i], keys[i], next, depth+1, treeDepth+1, buckets)
	}
}

// slice returns buf[at+pos : at+pos+n] if it is inside buf (at is an
// element's offset, pos its stored offset relative to the element).
func (c *pageCheck) slice(buf []byte, base, at, pos, n uint64) ([]byte, bool) {
	start := at + pos
	if start > uint64(len(buf)) || n > uint64(len(buf))-start {
		return nil, false
	}
	c.mark(base+start, n)
	return buf[start : start+n], true
}

// ordered reports whether key is a valid key in [lo, hi) following keys[:i].
func (c *pageCheck) ordered(key, lo, hi []byte, keys [][]byte, i uint64) bool {
	switch {
	case len(key) == 0 || len(key) > maxKeySize:
		return false
	case i > 0 && bytes.Compare(keys[i-1], key) >= 0:
		return false
	case lo != nil && bytes.Compare(key, lo) < 0:
		return false
	case hi != nil && bytes.Compare(key, hi) >= 0:
		return false
	}
	return true
}

// leaf checks the elements of a leaf page, or of an inline bucket's page
// (buf is then the bucket value after its header), and the buckets in it.
func (c *pageCheck) leaf(buf []byte, base uint64, where string, lo, hi []byte, depth, buckets int) {
	ne := binary.NativeEndian
	count := uint64(ne.Uint16(buf[10:]))
	if count > (uint64(len(buf))-pageHeaderSize)/elemSize {
		c.problem("leaf %s has a bad element count %d", where, count)
		return
	}
	c.mark(base+pageHeaderSize, count*elemSize)
	keys := make([][]byte, count)
	for i := range count {
		at := pageHeaderSize + i*elemSize
		flags := ne.Uint32(buf[at:])
		pos, ksize, vsize := uint64(ne.Uint32(buf[at+4:])), uint64(ne.Uint32(buf[at+8:])), uint64(ne.Uint32(buf[at+12:]))
		key, ok := c.slice(buf, base, at, pos, ksize)
		if !ok || !c.ordered(key, lo, hi, keys, i) || flags&^leafBucket != 0 {
			c.problem("leaf %s: element %d's key or flags are out of place or out of the page", where, i)
			return
		}
		keys[i] = key
		val, ok := c.slice(buf, base, at, pos+ksize, vsize)
		if !ok {
			c.problem("leaf %s: element %d's value is out of the page", where, i)
			return
		}
		switch {
		case flags&leafBucket == 0:
		case c.metaOnly && buckets == 0 && !bytes.Equal(key, bucketMeta):
			if len(val) < bucketHeaderSize {
				c.problem("%s element %d: bucket header is cut short", where, i)
			}
		default:
			c.bucket(val, base+at+pos+ksize, fmt.Sprintf("%s element %d", where, i), depth, buckets+1)
		}
	}
}

// bucket checks a nested bucket whose stored value (header and, for an
// inline bucket, its page) is val, at file offset base.
func (c *pageCheck) bucket(val []byte, base uint64, where string, depth, buckets int) {
	if buckets > maxBucketDepth {
		c.problem("%s: buckets nested deeper than %d levels", where, maxBucketDepth)
		return
	}
	if len(val) < bucketHeaderSize {
		c.problem("%s: bucket header is cut short", where)
		return
	}
	ne := binary.NativeEndian
	if root := ne.Uint64(val); root != 0 {
		c.tree(root, nil, nil, depth+1, 0, buckets)
		return
	}
	inline := val[bucketHeaderSize:]
	if len(inline) < pageHeaderSize || ne.Uint64(inline) != 0 || ne.Uint16(inline[8:]) != pageLeaf || ne.Uint32(inline[12:]) != 0 {
		c.problem("%s: inline bucket has a damaged page header", where)
		return
	}
	c.leaf(inline, base+bucketHeaderSize, where+" (inline bucket)", nil, nil, depth, buckets)
}

// fullCheckBytes bounds the files whose whole structure the ordinary paths
// check on every open: the check reads every page (1 to 3 ms per MiB of
// pages on a small VM), which would dominate a command on a large vault.
// Beyond it they check the meta part only, and a damaged record page is
// met by bbolt with its faults recovered (a page cycle there, or a count
// that makes bbolt allocate, is found only by Verify).
const fullCheckBytes = 4 << 20

// checkStructure is checkPages for the ordinary paths: any problem makes
// the file ErrCorrupt, before bbolt walks any of its buckets.
func checkStructure(path string, tx *bolt.Tx, metaOnly bool) error {
	if tx.Size() > fullCheckBytes {
		metaOnly = true
	}
	problems, err := checkPages(path, tx, metaOnly)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		se := &structureError{problems}
		return corruptWrap(path, se, "damaged file: %s", se)
	}
	return nil
}

// structureError carries the problems checkPages found, so that Verify can
// list them when the check made its handle fail to open.
type structureError struct{ problems []string }

func (e *structureError) Error() string { return strings.Join(e.problems, "; ") }
