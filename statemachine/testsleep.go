package statemachine

import (
	"database/sql/driver"
	"fmt"
	"time"

	"modernc.org/sqlite"
)

// TestSleepFuncEnv is the environment variable that, set to 1, makes the
// resqlite program register resqlite_test_sleep(ms) on every node's apply
// connection (Options.TestSleepFunc), so that tests can replicate an
// entry that takes ms milliseconds to apply.
const TestSleepFuncEnv = "RESQLITE_TEST_SLEEP_FUNC"

// testSleepFunc is the name of the test-only SQL function.
const testSleepFunc = "resqlite_test_sleep"

// maxTestSleep bounds one call of resqlite_test_sleep.
const maxTestSleep = 10 * time.Minute

// registerTestSleep makes apply connections opened by d know
// resqlite_test_sleep(ms): it sleeps ms milliseconds and returns ms. It
// is deterministic (its result depends on its argument only), so the
// write policy allows it.
func registerTestSleep(d *sqlite.Driver) error {
	impl := &sqlite.FunctionImpl{
		NArgs:         1,
		Deterministic: true,
		Scalar: func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			ms, ok := args[0].(int64)
			if !ok || ms < 0 || time.Duration(ms)*time.Millisecond > maxTestSleep {
				return nil, fmt.Errorf("%s(ms) takes an integer number of milliseconds in [0, %d]", testSleepFunc, maxTestSleep.Milliseconds())
			}
			time.Sleep(time.Duration(ms) * time.Millisecond)
			return ms, nil
		},
	}
	if err := d.RegisterFunction(testSleepFunc, impl); err != nil {
		return fmt.Errorf("register %s(): %w", testSleepFunc, err)
	}
	return nil
}
