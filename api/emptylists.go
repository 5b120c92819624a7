package api

import "reflect"

// withEmptyLists returns a copy of v in which every nil slice and map,
// at any depth of structs, slices and maps, is empty: the domain's state
// leaves a list it never filled nil, which encoding/json writes as null,
// while the contract promises a list ([] or {}).
func withEmptyLists[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	fillLists(rv)
	return v
}

func fillLists(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			fillLists(v.Elem())
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if f := v.Field(i); f.CanSet() {
				fillLists(f)
			}
		}
	case reflect.Slice:
		if v.IsNil() {
			if v.CanSet() && v.Type().Elem().Kind() != reflect.Uint8 {
				v.Set(reflect.MakeSlice(v.Type(), 0, 0))
			}
			return
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(n, v)
		for i := 0; i < n.Len(); i++ {
			fillLists(n.Index(i))
		}
		if v.CanSet() {
			v.Set(n)
		}
	case reflect.Map:
		if v.IsNil() {
			if v.CanSet() {
				v.Set(reflect.MakeMap(v.Type()))
			}
			return
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(iter.Value())
			fillLists(e)
			n.SetMapIndex(iter.Key(), e)
		}
		if v.CanSet() {
			v.Set(n)
		}
	}
}
