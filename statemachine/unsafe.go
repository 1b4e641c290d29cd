package statemachine

import "unsafe"

// ptr turns an address of C memory (allocated by libc for SQLite, never by
// Go) into an unsafe.Pointer so that an out-parameter can be read.
func ptr(p uintptr) unsafe.Pointer {
	return *(*unsafe.Pointer)(unsafe.Pointer(&p))
}
