//go:build !linux

package harness

import "syscall"

// endWithParent has no kernel help outside Linux: there, a harness that dies
// without Stop leaves its server running.
func endWithParent(*syscall.SysProcAttr) {}
